"""The kernel's own tables: pictures staff upload into rich-text bodies
(``pictures.BodyPicture``), the review workflow's submissions and comments
(``workflow``), the audit log (``audit.AuditEntry``) and the list of common
typos the self-inspection looks for (``typos.Typo``)."""

from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.pictures import BodyPicture
from aidportal.kernel.typos import Typo
from aidportal.kernel.workflow import ReviewComment, Submission

__all__ = ["AuditEntry", "BodyPicture", "ReviewComment", "Submission", "Typo"]
