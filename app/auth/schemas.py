from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Tên đăng nhập, hoặc số CCCD của công dân"},
    )
    password = fields.Str(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    otp = fields.Str(
        validate=validate.Length(min=1, max=32),
        load_only=True,
        metadata={
            "description": "Staff accounts: the current 6-digit code of the authenticator app (or a "
            "recovery code); the second factor is set up on the web pages first"
        },
    )


class TokenSchema(Schema):
    token = fields.Str()
    token_type = fields.Str()
    expires_at = fields.DateTime()
    role = fields.Str()
