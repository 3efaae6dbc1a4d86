from tests.auth.support import jobs_here, mailbox  # noqa: F401  (fixtures)
