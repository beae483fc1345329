"""The spec's admin_* methods of ``aerospike.Client`` (client.rst, "Admin"): user and role management.

Owns: running one `admin.AdminCall` on a pooled (already authenticated) connection to one node within the admin
policy's `timeout`, and keeping the client's own credentials current when it changes its own password. The
argument checks, request frames and reply parsing are admin.py's; sockets are connection.py's.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import admin, exception
from .protocol.constants import PROTO_TYPE_ADMIN

if TYPE_CHECKING:
    from .policy import Policy

__all__ = ["AdminMethods"]


def _not_connected() -> exception.AerospikeError:
    return exception.ClusterError(exception.ClusterError.code, "No connection to aerospike cluster")


class AdminMethods:
    """Mixin of `Client`: every admin_* method of client.rst. Needs `_cluster` and `_resolve` from Client.

    Methods that change something return 0 on success, as the official client does.
    """

    _cluster: Any
    _resolve: Callable[[str, Any], Policy]

    def _admin(self, call: admin.AdminCall, policy: Optional[dict]) -> Any:
        """Send `call` to one node and return its result (or raise the server's AdminError subclass)."""
        cluster = self._cluster
        if cluster is None:
            raise _not_connected()
        timeout_ms = self._resolve("admin", policy).timeout
        deadline = monotonic() + timeout_ms / 1000.0 if timeout_ms else None

        def remaining() -> Optional[float]:
            if deadline is None:
                return None
            left = deadline - monotonic()
            if left <= 0:
                raise exception.TimeoutError(
                    exception.TimeoutError.code, f"{call.name}: admin timeout of {timeout_ms} ms passed"
                )
            return left

        node = cluster.random_node()
        pool = node.pool
        connection = pool.checkout(remaining())
        reader = call.reader()
        try:
            connection.send(call.request, remaining())
            while True:
                proto_type, body = connection.read_frame(remaining())
                if proto_type != PROTO_TYPE_ADMIN:
                    raise exception.ClientError(
                        exception.ClientError.code,
                        f"{call.name}: reply from node {node.name} has proto type {proto_type}",
                    )
                if reader.feed(body):
                    break
        except BaseException:
            pool.discard(connection)
            raise
        pool.checkin(connection)
        return reader.result()

    def _own_password_changed(self, username: str, password: str) -> None:
        authenticator = self._cluster.authenticator if self._cluster is not None else None
        if authenticator is not None and authenticator.user == username:
            authenticator.set_credentials(authenticator.credentials.changed(password))

    # -- users -------------------------------------------------------------------------------------------------

    def admin_create_user(
        self, username: Any, password: Any, roles: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a user with a password and roles."""
        self._admin(admin.admin_create_user(username, password, roles), policy)
        return 0

    def admin_drop_user(self, username: Any, policy: Optional[dict] = None) -> int:
        """Drop a user."""
        self._admin(admin.admin_drop_user(username), policy)
        return 0

    def admin_change_password(self, username: Any, password: Any, policy: Optional[dict] = None) -> int:
        """Change the password of the user this client is logged in as (the server checks the current one)."""
        cluster = self._cluster
        authenticator = cluster.authenticator if cluster is not None else None
        current = authenticator.credentials.credential if authenticator is not None else None
        call = admin.admin_change_password(username, password, current)
        self._admin(call, policy)
        self._own_password_changed(username, password)
        return 0

    def admin_set_password(self, username: Any, password: Any, policy: Optional[dict] = None) -> int:
        """Set the password of a user (by a user administrator)."""
        self._admin(admin.admin_set_password(username, password), policy)
        return 0
        self._own_password_changed(username, password)

    def admin_grant_roles(self, username: Any, roles: Any, policy: Optional[dict] = None) -> int:
        """Add roles to a user."""
        self._admin(admin.admin_grant_roles(username, roles), policy)
        return 0

    def admin_revoke_roles(self, username: Any, roles: Any, policy: Optional[dict] = None) -> int:
        """Remove roles from a user."""
        self._admin(admin.admin_revoke_roles(username, roles), policy)
        return 0

    def admin_query_user(self, username: Any, policy: Optional[dict] = None) -> list:
        """The roles of a user, as a list of role names."""
        return self._admin(admin.admin_query_user(username), policy)  # type: ignore[no-any-return]

    def admin_query_users(self, policy: Optional[dict] = None) -> dict:
        """Every user and its roles: ``{user: [role, ...]}``."""
        return self._admin(admin.admin_query_users(), policy)  # type: ignore[no-any-return]

    # -- roles -------------------------------------------------------------------------------------------------

    def admin_create_role(self, role: Any, privileges: Any, policy: Optional[dict] = None) -> int:
        """Create a custom role holding privileges (``{'code': aerospike.PRIV_*, 'ns': ..., 'set': ...}``)."""
        self._admin(admin.admin_create_role(role, privileges), policy)
        return 0

    def admin_drop_role(self, role: Any, policy: Optional[dict] = None) -> int:
        """Drop a custom role."""
        self._admin(admin.admin_drop_role(role), policy)
        return 0

    def admin_grant_privileges(self, role: Any, privileges: Any, policy: Optional[dict] = None) -> int:
        """Add privileges to a role."""
        self._admin(admin.admin_grant_privileges(role, privileges), policy)
        return 0

    def admin_revoke_privileges(self, role: Any, privileges: Any, policy: Optional[dict] = None) -> int:
        """Remove privileges from a role."""
        self._admin(admin.admin_revoke_privileges(role, privileges), policy)
        return 0

    def admin_query_role(self, role: Any, policy: Optional[dict] = None) -> list:
        """The privileges of a role, as a list of privilege dicts."""
        return self._admin(admin.admin_query_role(role), policy)  # type: ignore[no-any-return]

    def admin_query_roles(self, policy: Optional[dict] = None) -> dict:
        """Every role and its privileges: ``{role: [privilege, ...]}``."""
        return self._admin(admin.admin_query_roles(), policy)  # type: ignore[no-any-return]
