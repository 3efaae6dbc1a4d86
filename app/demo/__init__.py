from flask import Flask

from app.core.uow import CommandGroup

seed_cli = CommandGroup("seed", help="Load demo data.")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Units of the demo province An Giang and one account per role (idempotent)."""
    from app.demo.seed import DEMO_PASSWORD, seed_demo

    seed_demo()
    print(f"Demo data ready. Every demo account's password is '{DEMO_PASSWORD}'.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_cli)
