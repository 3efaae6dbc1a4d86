"""Dossiers: the records of every application (documents, steps, events), their codes, who may see
them, and the queries that read them. Their state changes only through app.workflow."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.dossiers import models  # noqa: F401
