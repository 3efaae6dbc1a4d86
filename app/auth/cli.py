import click

from app.auth.services import create_user
from app.core.errors import AppError
from app.core.uow import CommandGroup

users_cli = CommandGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, help="citizen, reception, specialist, leader, supervisor, admin")
@click.option("--unit", "unit_code", help="Agency identity code of the staff member's unit")
@click.option("--name", "full_name", help="Full name (defaults to the username)")
@click.option("--citizen-id", help="12-digit CCCD (citizens)")
@click.option("--phone")
@click.option("--email")
def create_command(
    username: str,
    password: str,
    role: str,
    unit_code: str | None,
    full_name: str | None,
    citizen_id: str | None,
    phone: str | None,
    email: str | None,
) -> None:
    """Create a user account."""
    try:
        user = create_user(
            username=username,
            password=password,
            role=role,
            unit_code=unit_code,
            full_name=full_name or username,
            citizen_id=citizen_id,
            phone=phone,
            email=email,
        )
    except AppError as exc:
        details = "".join(f"\n  {k}: {v}" for k, v in (exc.details or {}).items())
        raise click.ClickException(exc.message + details) from exc
    click.echo(f"Created {user.role} '{user.username}' (id {user.id})")
