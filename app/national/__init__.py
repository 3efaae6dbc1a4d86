"""National Public Service Portal (Cổng Dịch vụ công quốc gia): the mapping both ways and its schemas,
the record of filings received from it, its transport and a development stand-in (the simulator)."""
