"""The kernel's own tables: pictures staff upload into rich-text bodies
(``pictures.BodyPicture``) and the audit log (``audit.AuditEntry``)."""

from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.pictures import BodyPicture

__all__ = ["AuditEntry", "BodyPicture"]
