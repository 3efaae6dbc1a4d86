from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Tên đăng nhập, hoặc số CCCD của công dân"},
    )
    password = fields.Str(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class TokenSchema(Schema):
    token = fields.Str()
    token_type = fields.Str()
    expires_at = fields.DateTime()
    role = fields.Str()
