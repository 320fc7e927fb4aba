"""Pictures staff upload into rich-text bodies (``pictures.BodyPicture``)."""

from aidportal.kernel.pictures import BodyPicture

__all__ = ["BodyPicture"]
