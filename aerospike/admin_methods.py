"""The spec's admin_* methods of ``aerospike.Client`` (client.rst, "Admin"): user and role management.

Owns: the methods' signatures (the official client 3.0.0's keyword names: ``user``, ``password``, ``roles``,
``role``, ``privileges``, ``policy``), the "not connected" check that 3.0.0 makes before any argument check,
running one `admin.AdminCall` on a pooled (already authenticated) connection to one node within its timeout, and
keeping the client's own credentials current when it changes its own password. The argument checks, request
frames and reply parsing are admin.py's; sockets are connection.py's.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any, Callable

from . import exception
from .protocol.constants import PROTO_TYPE_ADMIN

if TYPE_CHECKING:
    from . import admin
    from .policy import Policy
else:  # security code (admin.py, bcrypt) is loaded by the first admin_* call, not by `import aerospike`
    from ._lazy import LazyModule

    admin = LazyModule("aerospike.admin", globals(), "admin")

__all__ = ["AdminMethods"]


class AdminMethods:
    """Mixin of `Client`: every admin_* method of client.rst. Needs `_cluster` and `_resolve` from Client.

    Methods that change something return 0 on success, as the official client does.
    """

    _cluster: Any
    _resolve: Callable[[str, Any], Policy]

    def _admin_cluster(self) -> Any:
        cluster = self._cluster
        if cluster is None:
            raise exception.ClusterError(exception.ClusterError.code, "No connection to aerospike cluster")
        return cluster

    def _admin_timeout(self) -> int:
        """The client's default admin timeout (config policies), the one a call's policy may override."""
        return int(self._resolve("admin", None).timeout)

    def _admin(self, cluster: Any, call: admin.AdminCall) -> Any:
        """Send `call` to one node and return its result (or raise the server's AdminError subclass)."""
        timeout_ms = call.timeout_ms
        deadline = monotonic() + timeout_ms / 1000.0

        def remaining() -> float:
            left = deadline - monotonic()
            if left <= 0:
                raise exception.TimeoutError(
                    exception.TimeoutError.code, f"{call.name}: admin timeout of {timeout_ms} ms passed"
                )
            return left

        try:
            node = cluster.random_node()
        except exception.InvalidNodeError:
            raise exception.ClientError(exception.ClientError.code, "Failed to find server node.") from None
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

    def _own_password_changed(self, cluster: Any, user: Any, password: Any) -> None:
        # As the C client does after a successful set or change: new connections log in with the new password.
        authenticator = cluster.authenticator
        if authenticator is not None and authenticator.user == admin.check_user(user):
            authenticator.set_credentials(authenticator.credentials.changed(password))

    # -- users -------------------------------------------------------------------------------------------------

    def admin_create_user(self, user: Any, password: Any, roles: Any, policy: Any = None) -> int:
        """Create a user with a password and roles."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_create_user(user, password, roles, policy, self._admin_timeout()))
        return 0

    def admin_drop_user(self, user: Any, policy: Any = None) -> int:
        """Drop a user."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_drop_user(user, policy, self._admin_timeout()))
        return 0

    def admin_change_password(self, user: Any, password: Any, policy: Any = None) -> int:
        """Change the password of the user this client is logged in as (the server checks the current one)."""
        cluster = self._admin_cluster()
        authenticator = cluster.authenticator
        current = authenticator.credentials.credential if authenticator is not None else None
        self._admin(
            cluster, admin.admin_change_password(user, password, current, policy, self._admin_timeout())
        )
        self._own_password_changed(cluster, user, password)
        return 0

    def admin_set_password(self, user: Any, password: Any, policy: Any = None) -> int:
        """Set the password of a user (by a user administrator)."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_set_password(user, password, policy, self._admin_timeout()))
        self._own_password_changed(cluster, user, password)
        return 0

    def admin_grant_roles(self, user: Any, roles: Any, policy: Any = None) -> int:
        """Add roles to a user."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_grant_roles(user, roles, policy, self._admin_timeout()))
        return 0

    def admin_revoke_roles(self, user: Any, roles: Any, policy: Any = None) -> int:
        """Remove roles from a user."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_revoke_roles(user, roles, policy, self._admin_timeout()))
        return 0

    def admin_query_user(self, user: Any, policy: Any = None) -> list:
        """The roles of a user, as a list of role names."""
        cluster = self._admin_cluster()
        return self._admin(cluster, admin.admin_query_user(user, policy, self._admin_timeout()))  # type: ignore[no-any-return]

    def admin_query_users(self, policy: Any = None) -> dict:
        """Every user and its roles: ``{user: [role, ...]}``."""
        cluster = self._admin_cluster()
        return self._admin(cluster, admin.admin_query_users(policy, self._admin_timeout()))  # type: ignore[no-any-return]

    # -- roles -------------------------------------------------------------------------------------------------

    def admin_create_role(self, role: Any, privileges: Any, policy: Any = None) -> int:
        """Create a custom role holding privileges (``{'code': aerospike.PRIV_*, 'ns': ..., 'set': ...}``)."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_create_role(role, privileges, policy, self._admin_timeout()))
        return 0

    def admin_drop_role(self, role: Any, policy: Any = None) -> int:
        """Drop a custom role."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_drop_role(role, policy, self._admin_timeout()))
        return 0

    def admin_grant_privileges(self, role: Any, privileges: Any, policy: Any = None) -> int:
        """Add privileges to a role."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_grant_privileges(role, privileges, policy, self._admin_timeout()))
        return 0

    def admin_revoke_privileges(self, role: Any, privileges: Any, policy: Any = None) -> int:
        """Remove privileges from a role."""
        cluster = self._admin_cluster()
        self._admin(cluster, admin.admin_revoke_privileges(role, privileges, policy, self._admin_timeout()))
        return 0

    def admin_query_role(self, role: Any, policy: Any = None) -> list:
        """The privileges of a role, as a list of dicts ``{'ns': ..., 'set': ..., 'code': ...}``."""
        cluster = self._admin_cluster()
        return self._admin(cluster, admin.admin_query_role(role, policy, self._admin_timeout()))  # type: ignore[no-any-return]

    def admin_query_roles(self, policy: Any = None) -> dict:
        """Every role and its privileges: ``{role: [privilege, ...]}``."""
        cluster = self._admin_cluster()
        return self._admin(cluster, admin.admin_query_roles(policy, self._admin_timeout()))  # type: ignore[no-any-return]
