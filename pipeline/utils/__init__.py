from pipeline.utils.auth import EnvVarSecret, Secret, TokenSecret

__all__ = ["EnvVarSecret", "Secret", "TokenSecret"]
