from motcua.feedback.services.ratings import dossier_rate

__all__ = ["dossier_rate"]
