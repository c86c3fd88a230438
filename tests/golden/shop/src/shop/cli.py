"""`shop-admin`: administrative commands run against the configured database."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from shop.config.settings import Settings, get_settings
from shop.container import ServiceContainer
from shop.database.migrations import PendingMigrationsError, require_migrated
from shop.database.repositories.user_repository import UserRepository
from shop.models.user_model import UserCreate, UserRead
from shop.services.user_service import UserService
from shop.utils.errors import ConflictError


async def create_admin(settings: Settings, data: UserCreate) -> UserRead:
    """Create an administrator in the database named by the settings."""
    container = ServiceContainer.from_settings(settings)
    try:
        await require_migrated(container.engine)
        async with container.session() as session:
            users = UserService(UserRepository(session), container.processing, settings)
            return await users.create_user(data)
    finally:
        await container.aclose()


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="shop-admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create an administrator")
    create.add_argument("--email", required=True)
    create.add_argument(
        "--password", help="read from a prompt when omitted (keeps it out of history)"
    )
    create.add_argument("--full-name")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return the process exit status."""
    args = build_parser().parse_args(argv)
    password = args.password or getpass.getpass("Password: ")
    try:
        data = UserCreate(
            email=args.email, password=password, full_name=args.full_name, is_admin=True
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            print(f"error: {field}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        user = asyncio.run(create_admin(get_settings(), data))
    except ConflictError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except PendingMigrationsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Created administrator {user.email} (id {user.id})")
    return 0
