from marshmallow import Schema, fields


class UnitSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str(allow_none=True)
    level = fields.Str()
    kind = fields.Str()
    parent_code = fields.Function(lambda u: u.parent.code if u.parent else None)
    address = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
