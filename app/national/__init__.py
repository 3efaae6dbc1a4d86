"""National Public Service Portal (Cổng Dịch vụ công quốc gia) messages: the mapping and its schemas."""
