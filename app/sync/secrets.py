"""Webhook signing secrets at rest: AES-GCM under a key derived from SECRET_KEY.

HMAC signing needs the secret itself, so it cannot be hashed; it is encrypted so a database dump
alone does not reveal it, and the admin pages show it only once, when it is generated.
(pycryptodome is already installed as a requirement of the minio SDK.)
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from Crypto.Cipher import AES
from flask import current_app


def _key() -> bytes:
    return hashlib.sha256(b"webhook-secret:" + current_app.config["SECRET_KEY"].encode()).digest()


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    nonce = secrets.token_bytes(12)
    cipher = AES.new(_key(), AES.MODE_GCM, nonce=nonce)
    sealed, tag = cipher.encrypt_and_digest(secret.encode())
    return base64.urlsafe_b64encode(nonce + tag + sealed).decode()


def decrypt(token: str) -> str:
    raw = base64.urlsafe_b64decode(token.encode())
    cipher = AES.new(_key(), AES.MODE_GCM, nonce=raw[:12])
    return cipher.decrypt_and_verify(raw[28:], raw[12:28]).decode()
