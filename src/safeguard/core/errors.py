class SafeguardError(Exception):
    """An error with a message a person can act on."""


class PermissionDenied(SafeguardError):
    """The actor may not do this. Callers that show objects turn it into 404."""
