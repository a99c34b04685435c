"""motcua: administrative procedures for a Vietnamese province and its communes, end to end."""

__version__ = "0.1.0"
