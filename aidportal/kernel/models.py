"""The kernel's own tables: pictures staff upload into rich-text bodies
(``pictures.BodyPicture``), the review workflow's submissions and comments
(``workflow``) and the audit log (``audit.AuditEntry``)."""

from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.pictures import BodyPicture
from aidportal.kernel.workflow import ReviewComment, Submission

__all__ = ["AuditEntry", "BodyPicture", "ReviewComment", "Submission"]
