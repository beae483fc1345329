"""Info command answers of the local cluster, shaped like Aerospike server 8.1.2.0's.

Owns: turning the text commands of an info request into `name<TAB>value` answers from a `NodeState` snapshot (what
one node knows at the moment of the request), and the table of handlers that later features (UDFs, secondary
indexes, truncation, jobs) extend by command prefix. Must not know sockets, threads, or the client core. Key
lists and their order come from the recorded server replies in `transcripts/02-info.jsonl`; history counters of the
recording are zeroed, live ones (object counts, cluster size, generations) are computed.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from aerospike.protocol.constants import CITRUSLEAF_EPOCH, N_PARTITIONS

if TYPE_CHECKING:  # pragma: no cover
    from .store import NamespaceStore

BUILD = "8.1.2.0"
COMPATIBILITY_ID = "15"
DEFAULT_SERVICE_PORT = 3000  # peers lists omit a port equal to this, as the recorded servers did
UNKNOWN_COMMAND = "ERROR:4:unrecognized command"
FEATURES = (
    "batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;sindex-exists;peers;"
    "pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;replicas-max;"
    "truncate-namespace;udf"
)
_BUILD_DETAILS = (
    ("build_ee_sha", ""),
    ("build_sha", "68182105aaa20bce52e3a672e0ac896e84421f85"),
    ("build_arch", "x86_64"),
    ("build_time", "Thu Nov 26 16:04:50 UTC 2026"),
    ("build_os", "debian12"),
)
_BITMAP_SIZE = N_PARTITIONS // 8

# Recorded key=value lists (server 8.1.2.0), counters zeroed. Live keys are overwritten per request.
_NAMESPACE_STATS = (
    "ns_cluster_size=0;effective_replication_factor=0;objects=0;tombstones=0;xdr_tombstones=0;xdr_bin_cem"
    "eteries=0;mrt_provisionals=0;master_objects=0;master_tombstones=0;prole_objects=0;prole_tombstones=0"
    ";non_replica_objects=0;non_replica_tombstones=0;unreplicated_records=0;dead_partitions=0;unavailable"
    "_partitions=0;auto_revived_partitions=0;clock_skew_stop_writes=false;stop_writes=false;hwm_breached="
    "false;current_time=0;non_expirable_objects=0;expired_objects=0;evicted_objects=0;evict_ttl=0;evict_v"
    "oid_time=0;smd_evict_void_time=0;nsup_cycle_duration=0;nsup_cycle_deleted_pct=0.00;nsup_xdr_key_busy"
    "=0;truncate_lut=0;truncating=false;sindex_gc_cleaned=0;mrt_monitors=0;mrt_monitors_active=0;xmem_id="
    "0;index_used_bytes=0;set_index_used_bytes=0;sindex_used_bytes=0;data_total_bytes=1073741824;data_use"
    "d_bytes=0;data_used_pct=0;data_avail_pct=87;data_compression_ratio=1.000;storage-engine.stripe[0].us"
    "ed_bytes=0;storage-engine.stripe[0].free_wblocks=0;storage-engine.stripe[0].writes=0;storage-engine."
    "stripe[0].defrag_q=0;storage-engine.stripe[0].defrag_reads=0;storage-engine.stripe[0].defrag_writes="
    "0;storage-engine.stripe[1].used_bytes=0;storage-engine.stripe[1].free_wblocks=0;storage-engine.strip"
    "e[1].writes=0;storage-engine.stripe[1].defrag_q=0;storage-engine.stripe[1].defrag_reads=0;storage-en"
    "gine.stripe[1].defrag_writes=0;storage-engine.stripe[2].used_bytes=0;storage-engine.stripe[2].free_w"
    "blocks=0;storage-engine.stripe[2].writes=0;storage-engine.stripe[2].defrag_q=0;storage-engine.stripe"
    "[2].defrag_reads=0;storage-engine.stripe[2].defrag_writes=0;storage-engine.stripe[3].used_bytes=0;st"
    "orage-engine.stripe[3].free_wblocks=0;storage-engine.stripe[3].writes=0;storage-engine.stripe[3].def"
    "rag_q=0;storage-engine.stripe[3].defrag_reads=0;storage-engine.stripe[3].defrag_writes=0;storage-eng"
    "ine.stripe[4].used_bytes=0;storage-engine.stripe[4].free_wblocks=0;storage-engine.stripe[4].writes=0"
    ";storage-engine.stripe[4].defrag_q=0;storage-engine.stripe[4].defrag_reads=0;storage-engine.stripe[4"
    "].defrag_writes=0;storage-engine.stripe[5].used_bytes=0;storage-engine.stripe[5].free_wblocks=0;stor"
    "age-engine.stripe[5].writes=0;storage-engine.stripe[5].defrag_q=0;storage-engine.stripe[5].defrag_re"
    "ads=0;storage-engine.stripe[5].defrag_writes=0;storage-engine.stripe[6].used_bytes=0;storage-engine."
    "stripe[6].free_wblocks=0;storage-engine.stripe[6].writes=0;storage-engine.stripe[6].defrag_q=0;stora"
    "ge-engine.stripe[6].defrag_reads=0;storage-engine.stripe[6].defrag_writes=0;storage-engine.stripe[7]"
    ".used_bytes=0;storage-engine.stripe[7].free_wblocks=0;storage-engine.stripe[7].writes=0;storage-engi"
    "ne.stripe[7].defrag_q=0;storage-engine.stripe[7].defrag_reads=0;storage-engine.stripe[7].defrag_writ"
    "es=0;record_proto_uncompressed_pct=0.000;record_proto_compression_ratio=1.000;query_proto_uncompress"
    "ed_pct=0.000;query_proto_compression_ratio=1.000;pending_quiesce=false;effective_is_quiesced=false;n"
    "odes_quiesced=0;effective_prefer_uniform_balance=false;effective_active_rack=0;migrate_tx_partitions"
    "_imbalance=0;migrate_tx_instances=0;migrate_rx_instances=0;migrate_tx_partitions_active=0;migrate_rx"
    "_partitions_active=0;migrate_tx_partitions_initial=0;migrate_tx_partitions_remaining=0;migrate_tx_pa"
    "rtitions_lead_remaining=0;migrate_rx_partitions_initial=0;migrate_rx_partitions_remaining=0;migrate_"
    "records_skipped=0;migrate_records_transmitted=0;migrate_record_retransmits=0;migrate_record_receives"
    "=0;migrate_records_unreadable=0;migrate_signals_active=0;migrate_signals_remaining=0;migrate_fresh_p"
    "artitions=0;appeals_tx_active=0;appeals_rx_active=0;appeals_tx_remaining=0;appeals_records_exonerate"
    "d=0;client_tsvc_error=0;client_tsvc_timeout=0;client_proxy_complete=0;client_proxy_error=0;client_pr"
    "oxy_timeout=0;client_read_success=0;client_read_error=0;client_read_timeout=0;client_read_not_found="
    "0;client_read_filtered_out=0;client_write_success=0;client_write_error=0;client_write_timeout=0;clie"
    "nt_write_filtered_out=0;xdr_client_write_success=0;xdr_client_write_error=0;xdr_client_write_timeout"
    "=0;client_delete_success=0;client_delete_error=0;client_delete_timeout=0;client_delete_not_found=0;c"
    "lient_delete_filtered_out=0;xdr_client_delete_success=0;xdr_client_delete_error=0;xdr_client_delete_"
    "timeout=0;xdr_client_delete_not_found=0;client_udf_complete=0;client_udf_error=0;client_udf_timeout="
    "0;client_udf_filtered_out=0;client_lang_read_success=0;client_lang_write_success=0;client_lang_delet"
    "e_success=0;client_lang_error=0;from_proxy_tsvc_error=0;from_proxy_tsvc_timeout=0;from_proxy_read_su"
    "ccess=0;from_proxy_read_error=0;from_proxy_read_timeout=0;from_proxy_read_not_found=0;from_proxy_rea"
    "d_filtered_out=0;from_proxy_write_success=0;from_proxy_write_error=0;from_proxy_write_timeout=0;from"
    "_proxy_write_filtered_out=0;xdr_from_proxy_write_success=0;xdr_from_proxy_write_error=0;xdr_from_pro"
    "xy_write_timeout=0;from_proxy_delete_success=0;from_proxy_delete_error=0;from_proxy_delete_timeout=0"
    ";from_proxy_delete_not_found=0;from_proxy_delete_filtered_out=0;xdr_from_proxy_delete_success=0;xdr_"
    "from_proxy_delete_error=0;xdr_from_proxy_delete_timeout=0;xdr_from_proxy_delete_not_found=0;from_pro"
    "xy_udf_complete=0;from_proxy_udf_error=0;from_proxy_udf_timeout=0;from_proxy_udf_filtered_out=0;from"
    "_proxy_lang_read_success=0;from_proxy_lang_write_success=0;from_proxy_lang_delete_success=0;from_pro"
    "xy_lang_error=0;batch_sub_tsvc_error=0;batch_sub_tsvc_timeout=0;batch_sub_proxy_complete=0;batch_sub"
    "_proxy_error=0;batch_sub_proxy_timeout=0;batch_sub_read_success=0;batch_sub_read_error=0;batch_sub_r"
    "ead_timeout=0;batch_sub_read_not_found=0;batch_sub_read_filtered_out=0;batch_sub_write_success=0;bat"
    "ch_sub_write_error=0;batch_sub_write_timeout=0;batch_sub_write_filtered_out=0;batch_sub_delete_succe"
    "ss=0;batch_sub_delete_error=0;batch_sub_delete_timeout=0;batch_sub_delete_not_found=0;batch_sub_dele"
    "te_filtered_out=0;batch_sub_udf_complete=0;batch_sub_udf_error=0;batch_sub_udf_timeout=0;batch_sub_u"
    "df_filtered_out=0;batch_sub_lang_read_success=0;batch_sub_lang_write_success=0;batch_sub_lang_delete"
    "_success=0;batch_sub_lang_error=0;from_proxy_batch_sub_tsvc_error=0;from_proxy_batch_sub_tsvc_timeou"
    "t=0;from_proxy_batch_sub_read_success=0;from_proxy_batch_sub_read_error=0;from_proxy_batch_sub_read_"
    "timeout=0;from_proxy_batch_sub_read_not_found=0;from_proxy_batch_sub_read_filtered_out=0;from_proxy_"
    "batch_sub_write_success=0;from_proxy_batch_sub_write_error=0;from_proxy_batch_sub_write_timeout=0;fr"
    "om_proxy_batch_sub_write_filtered_out=0;from_proxy_batch_sub_delete_success=0;from_proxy_batch_sub_d"
    "elete_error=0;from_proxy_batch_sub_delete_timeout=0;from_proxy_batch_sub_delete_not_found=0;from_pro"
    "xy_batch_sub_delete_filtered_out=0;from_proxy_batch_sub_udf_complete=0;from_proxy_batch_sub_udf_erro"
    "r=0;from_proxy_batch_sub_udf_timeout=0;from_proxy_batch_sub_udf_filtered_out=0;from_proxy_batch_sub_"
    "lang_read_success=0;from_proxy_batch_sub_lang_write_success=0;from_proxy_batch_sub_lang_delete_succe"
    "ss=0;from_proxy_batch_sub_lang_error=0;udf_sub_tsvc_error=0;udf_sub_tsvc_timeout=0;udf_sub_udf_compl"
    "ete=0;udf_sub_udf_error=0;udf_sub_udf_timeout=0;udf_sub_udf_filtered_out=0;udf_sub_lang_read_success"
    "=0;udf_sub_lang_write_success=0;udf_sub_lang_delete_success=0;udf_sub_lang_error=0;ops_sub_tsvc_erro"
    "r=0;ops_sub_tsvc_timeout=0;ops_sub_write_success=0;ops_sub_write_error=0;ops_sub_write_timeout=0;ops"
    "_sub_write_filtered_out=0;dup_res_ask=0;dup_res_respond_read=0;dup_res_respond_no_read=0;retransmit_"
    "all_read_dup_res=0;retransmit_all_write_dup_res=0;retransmit_all_delete_dup_res=0;retransmit_all_udf"
    "_dup_res=0;retransmit_all_batch_sub_read_dup_res=0;retransmit_all_batch_sub_write_dup_res=0;retransm"
    "it_all_batch_sub_delete_dup_res=0;retransmit_all_batch_sub_udf_dup_res=0;retransmit_udf_sub_dup_res="
    "0;retransmit_ops_sub_dup_res=0;retransmit_all_read_repl_ping=0;retransmit_all_batch_sub_read_repl_pi"
    "ng=0;retransmit_all_write_repl_write=0;retransmit_all_delete_repl_write=0;retransmit_all_udf_repl_wr"
    "ite=0;retransmit_all_batch_sub_write_repl_write=0;retransmit_all_batch_sub_delete_repl_write=0;retra"
    "nsmit_all_batch_sub_udf_repl_write=0;retransmit_udf_sub_repl_write=0;retransmit_ops_sub_repl_write=0"
    ";pi_query_short_basic_complete=0;pi_query_short_basic_error=0;pi_query_short_basic_timeout=0;pi_quer"
    "y_long_basic_complete=0;pi_query_long_basic_error=0;pi_query_long_basic_abort=0;pi_query_aggr_comple"
    "te=0;pi_query_aggr_error=0;pi_query_aggr_abort=0;pi_query_udf_bg_complete=0;pi_query_udf_bg_error=0;"
    "pi_query_udf_bg_abort=0;pi_query_ops_bg_complete=0;pi_query_ops_bg_error=0;pi_query_ops_bg_abort=0;s"
    "i_query_short_basic_complete=0;si_query_short_basic_error=0;si_query_short_basic_timeout=0;si_query_"
    "long_basic_complete=0;si_query_long_basic_error=0;si_query_long_basic_abort=0;si_query_aggr_complete"
    "=0;si_query_aggr_error=0;si_query_aggr_abort=0;si_query_udf_bg_complete=0;si_query_udf_bg_error=0;si"
    "_query_udf_bg_abort=0;si_query_ops_bg_complete=0;si_query_ops_bg_error=0;si_query_ops_bg_abort=0;geo"
    "_region_query_reqs=0;geo_region_query_cells=0;geo_region_query_points=0;geo_region_query_falsepos=0;"
    "read_touch_tsvc_error=0;read_touch_tsvc_timeout=0;read_touch_success=0;read_touch_error=0;read_touch"
    "_timeout=0;read_touch_skip=0;re_repl_tsvc_error=0;re_repl_tsvc_timeout=0;re_repl_success=0;re_repl_e"
    "rror=0;re_repl_timeout=0;mrt_verify_read_success=0;mrt_verify_read_error=0;mrt_verify_read_timeout=0"
    ";mrt_roll_forward_success=0;mrt_roll_forward_error=0;mrt_roll_forward_timeout=0;mrt_monitor_roll_for"
    "ward_success=0;mrt_monitor_roll_forward_error=0;mrt_monitor_roll_forward_timeout=0;mrt_roll_back_suc"
    "cess=0;mrt_roll_back_error=0;mrt_roll_back_timeout=0;mrt_monitor_roll_back_success=0;mrt_monitor_rol"
    "l_back_error=0;mrt_monitor_roll_back_timeout=0;fail_xdr_forbidden=0;fail_key_busy=0;fail_xdr_key_bus"
    "y=0;fail_generation=0;fail_record_too_big=0;fail_client_lost_conflict=0;fail_xdr_lost_conflict=0;fai"
    "l_mrt_blocked=0;fail_mrt_version_mismatch=0;deleted_last_bin=0;mrt_monitor_roll_tombstone_creates=0;"
    "ttl_reductions_ignored=0;ttl_reductions_applied=0"
)
_NAMESPACE_CONFIG = (
    "active-rack=0;allow-ttl-without-nsup=false;apply-ttl-reductions=true;auto-revive=false;background-qu"
    "ery-max-rps=10000;conflict-resolution-policy=generation;conflict-resolve-writes=false;default-read-t"
    "ouch-ttl-pct=0;default-ttl=0;disable-cold-start-eviction=false;disable-mrt-writes=false;disable-writ"
    "e-dup-res=false;disallow-expunge=false;disallow-null-setname=false;enable-benchmarks-batch-sub=false"
    ";enable-benchmarks-ops-sub=false;enable-benchmarks-read=false;enable-benchmarks-udf=false;enable-ben"
    "chmarks-udf-sub=false;enable-benchmarks-write=false;enable-hist-proxy=false;evict-hist-buckets=10000"
    ";evict-indexes-memory-pct=0;evict-tenths-pct=5;force-long-queries=false;ignore-migrate-fill-delay=fa"
    "lse;index-stage-size=1073741824;indexes-memory-budget=0;inline-short-queries=false;max-record-size=1"
    "048576;migrate-order=5;migrate-retransmit-ms=5000;migrate-skip-unreadable=false;migrate-sleep=1;mrt-"
    "duration=0;nsup-hist-period=3600;nsup-period=120;nsup-threads=1;partition-tree-sprigs=256;prefer-uni"
    "form-balance=false;rack-id=0;read-consistency-level-override=off;reject-non-xdr-writes=false;reject-"
    "xdr-writes=false;replication-factor=1;sindex-stage-size=1073741824;single-query-threads=4;stop-write"
    "s-sys-memory-pct=90;strong-consistency=false;strong-consistency-allow-expunge=false;tomb-raider-elig"
    "ible-age=86400;tomb-raider-period=86400;tomb-raider-unmark-threads=0;transaction-pending-limit=20;tr"
    "uncate-threads=4;write-commit-level-override=off;xdr-bin-tombstone-ttl=86400;xdr-tomb-raider-period="
    "120;xdr-tomb-raider-threads=1;geo2dsphere-within.strict=true;geo2dsphere-within.min-level=1;geo2dsph"
    "ere-within.max-level=20;geo2dsphere-within.max-cells=12;geo2dsphere-within.level-mod=1;geo2dsphere-w"
    "ithin.earth-radius-meters=6371000;index-type=mem;sindex-type=mem;storage-engine=memory;storage-engin"
    "e.stripe[0]=stripe-0;storage-engine.stripe[1]=stripe-1;storage-engine.stripe[2]=stripe-2;storage-eng"
    "ine.stripe[3]=stripe-3;storage-engine.stripe[4]=stripe-4;storage-engine.stripe[5]=stripe-5;storage-e"
    "ngine.stripe[6]=stripe-6;storage-engine.stripe[7]=stripe-7;storage-engine.commit-to-device=false;sto"
    "rage-engine.compression=none;storage-engine.compression-acceleration=0;storage-engine.compression-le"
    "vel=0;storage-engine.data-size=1073741824;storage-engine.defrag-lwm-pct=50;storage-engine.defrag-que"
    "ue-min=0;storage-engine.defrag-sleep=1000;storage-engine.defrag-startup-minimum=0;storage-engine.dir"
    "ect-files=false;storage-engine.disable-odsync=false;storage-engine.enable-benchmarks-storage=false;s"
    "torage-engine.encryption-key-file=null;storage-engine.encryption-old-key-file=null;storage-engine.ev"
    "ict-used-pct=0;storage-engine.filesize=0;storage-engine.flush-max-ms=1000;storage-engine.max-write-c"
    "ache=67108864;storage-engine.stop-writes-avail-pct=5;storage-engine.stop-writes-used-pct=70;storage-"
    "engine.tomb-raider-sleep=1000"
)
_STATISTICS = (
    "failed_best_practices=true;cluster_size=0;cluster_key=900F0211174C;cluster_generation=0;cluster_prin"
    "cipal=A1;cluster_min_compatibility_id=15;cluster_max_compatibility_id=15;cluster_integrity=true;clus"
    "ter_is_member=true;cluster_duplicate_nodes=null;cluster_clock_skew_stop_writes_sec=0;cluster_clock_s"
    "kew_ms=0;cluster_clock_skew_outliers=null;uptime=0;system_total_cpu_pct=0;system_user_cpu_pct=0;syst"
    "em_kernel_cpu_pct=0;system_free_mem_kbytes=23795476;system_free_mem_pct=96;host_free_mem_kbytes=2379"
    "5476;host_free_mem_pct=96;system_thp_mem_kbytes=0;process_cpu_pct=0;threads_joinable=0;threads_detac"
    "hed=0;threads_pool_total=33;threads_pool_active=0;heap_allocated_kbytes=0;heap_active_kbytes=0;heap_"
    "mapped_kbytes=0;heap_efficiency_pct=99;heap_site_count=0;objects=0;tombstones=0;info_queue=0;rw_in_p"
    "rogress=0;proxy_in_progress=0;tree_gc_queue=0;client_connections=0;client_connections_opened=0;clien"
    "t_connections_closed=0;admin_connections=0;admin_connections_opened=0;admin_connections_closed=0;hea"
    "rtbeat_connections=0;heartbeat_connections_opened=0;heartbeat_connections_closed=0;fabric_connection"
    "s=0;fabric_connections_opened=0;fabric_connections_closed=0;heartbeat_received_self=0;heartbeat_rece"
    "ived_foreign=0;reaped_fds=0;info_complete=0;info_timeout=0;demarshal_error=0;early_tsvc_client_error"
    "=0;early_tsvc_from_proxy_error=0;early_tsvc_from_proxy_batch_sub_error=0;long_queries_active=0;batch"
    "_index_initiate=0;batch_index_queue=0:0,0:0;batch_index_complete=0;batch_index_error=0;batch_index_t"
    "imeout=0;batch_index_delay=0;batch_index_unused_buffers=1;batch_index_huge_buffers=0;batch_index_cre"
    "ated_buffers=1;batch_index_destroyed_buffers=0;batch_index_proto_uncompressed_pct=0.000;batch_index_"
    "proto_compression_ratio=1.000;paxos_principal=A1;time_since_rebalance=0;migrate_allowed=true;migrate"
    "_partitions_remaining=0;fabric_bulk_send_rate=0;fabric_bulk_recv_rate=0;fabric_ctrl_send_rate=0;fabr"
    "ic_ctrl_recv_rate=0;fabric_meta_send_rate=0;fabric_meta_recv_rate=0;fabric_rw_send_rate=0;fabric_rw_"
    "recv_rate=0;deprecated_requests=0"
)


def _parse_template(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, _, value in (item.partition("=") for item in text.split(";")))


NAMESPACE_STATS_KEYS = _parse_template(_NAMESPACE_STATS)
NAMESPACE_CONFIG_KEYS = _parse_template(_NAMESPACE_CONFIG)
STATISTICS_KEYS = _parse_template(_STATISTICS)
_SET_KEYS = (
    ("tombstones", "0"),
    ("data_used_bytes", "0"),
    ("truncate_lut", "0"),
    ("sindexes", "0"),
    ("index_populating", "false"),
    ("truncating", "false"),
    ("default-read-touch-ttl-pct", "0"),
    ("default-ttl", "0"),
    ("disable-eviction", "false"),
    ("enable-index", "false"),
    ("stop-writes-count", "0"),
    ("stop-writes-size", "0"),
)
# Commands a server answers to an empty request, in the recorded order.
DEFAULT_COMMANDS = (
    "features",
    "node",
    "compatibility-id",
    "edition",
    *(name for name, _ in _BUILD_DETAILS),
    "build",
    "version",
    "statistics",
    "services-alumni",
    "services",
    "partition-generation",
)


@dataclass(frozen=True)
class Peer:
    """Another live node as peers lists show it."""

    node_id: str
    host: str
    port: int


@dataclass
class NodeState:
    """What one node knows when it answers an info request. Built by the node; read-only here."""

    node_id: str
    host: str
    port: int
    edition: str = "community"
    cluster_name: Optional[str] = None
    cluster_key: str = "000000000000"
    cluster_size: int = 1
    cluster_generation: int = 1
    principal: str = ""
    partition_generation: int = 1
    peers_generation: int = 1
    peers: Sequence[Peer] = ()
    alumni: Sequence[tuple[str, int]] = ()
    replication_factor: int = 1
    namespaces: Mapping[str, NamespaceStore] = field(default_factory=dict)
    # Per namespace: one 512-byte bitmap per replica index (0 = master) of the partitions this node holds.
    replica_bitmaps: Mapping[str, Sequence[bytes]] = field(default_factory=dict)
    uptime: int = 0
    client_connections: int = 0
    client_connections_opened: int = 0
    client_connections_closed: int = 0
    # Free for handlers added later (UDF, sindex, truncate, job registries of the cluster).
    extras: Mapping[str, Any] = field(default_factory=dict)


# A handler gets the node state, the command name (text before ':') and its arguments (text after ':').
InfoHandler = Callable[[NodeState, str, str], str]


def partitions_in(bitmap: bytes) -> list[int]:
    """Partition ids whose bit is set: partition p is bit 0x80 >> (p & 7) of byte p >> 3."""
    return [
        (index << 3) | bit
        for index, byte in enumerate(bitmap)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    ]


def make_bitmap(partition_ids: Sequence[int] | set[int] | range) -> bytes:
    """The 512-byte bitmap of a set of partition ids."""
    bitmap = bytearray(_BITMAP_SIZE)
    for partition_id in partition_ids:
        bitmap[partition_id >> 3] |= 0x80 >> (partition_id & 7)
    return bytes(bitmap)


def _b64(bitmap: bytes) -> str:
    return base64.b64encode(bitmap).decode("ascii")


def _join(pairs: Sequence[tuple[str, str]] | list[tuple[str, str]], separator: str = ";") -> str:
    return separator.join(f"{key}={value}" for key, value in pairs)


def _edition_name(state: NodeState) -> str:
    return "Aerospike Enterprise Edition" if state.edition == "enterprise" else "Aerospike Community Edition"


def _node_counts(state: NodeState, namespace: str) -> tuple[int, int, int]:
    """(objects, master_objects, prole_objects) of one namespace on this node."""
    store = state.namespaces[namespace]
    objects = store.object_count()
    bitmaps = state.replica_bitmaps.get(namespace, ())
    master = 0
    if bitmaps:
        for partition_id in partitions_in(bitmaps[0]):
            master += len(store.partition_records(partition_id))
    return objects, master, objects - master


def _now_void_time() -> int:
    return int(time.time()) - CITRUSLEAF_EPOCH


def namespace_config(state: NodeState, namespace: str) -> list[tuple[str, str]]:
    live = {"replication-factor": str(state.replication_factor)}
    store = state.namespaces[namespace]
    default_ttl = getattr(store, "default_ttl", None)
    if isinstance(default_ttl, int):
        live["default-ttl"] = str(default_ttl)
    return [(key, live.get(key, value)) for key, value in NAMESPACE_CONFIG_KEYS]


def namespace_stats(state: NodeState, namespace: str) -> list[tuple[str, str]]:
    objects, master, prole = _node_counts(state, namespace)
    live = {
        "ns_cluster_size": str(state.cluster_size),
        "effective_replication_factor": str(min(state.replication_factor, state.cluster_size)),
        "objects": str(objects),
        "master_objects": str(master),
        "prole_objects": str(prole),
        "current_time": str(_now_void_time()),
        "non_expirable_objects": str(objects),
        "index_used_bytes": str(objects * 64),
        "data_used_bytes": str(objects * 64),
    }
    return [(key, live.get(key, value)) for key, value in NAMESPACE_STATS_KEYS]


def _answer_namespace(state: NodeState, name: str, args: str) -> str:
    namespace = name.partition("/")[2]
    if namespace not in state.namespaces:
        return "type=unknown"
    return _join(namespace_stats(state, namespace) + namespace_config(state, namespace))


def _answer_get_config(state: NodeState, name: str, args: str) -> str:
    params = parse_params(args)
    context = params.get("context", "")
    if context != "namespace":
        return "ERROR::unrecognized context"
    namespace = params.get("id", "")
    if namespace not in state.namespaces:
        return "ERROR::namespace not found"
    return _join(namespace_config(state, namespace))


def _set_entry(store: NamespaceStore, set_name: str) -> list[tuple[str, str]]:
    return [("objects", str(store.set_object_count(set_name))), *_SET_KEYS]


def _answer_sets(state: NodeState, name: str, args: str) -> str:
    parts = name.split("/")
    if len(parts) >= 2 and parts[1] and parts[1] not in state.namespaces:
        return "ns_type=unknown"
    if len(parts) >= 3:
        namespace, set_name = parts[1], parts[2]
        store = state.namespaces.get(namespace)
        if store is None or set_name not in store.set_names():
            return ""
        return _join(_set_entry(store, set_name), ":") + ";"
    wanted = parts[1] if len(parts) == 2 else None
    entries = []
    for namespace, store in state.namespaces.items():
        if wanted is not None and namespace != wanted:
            continue
        for set_name in store.set_names():
            pairs = [("ns", namespace), ("set", set_name), *_set_entry(store, set_name)]
            entries.append(_join(pairs, ":") + ";")
    return "".join(entries)


def _answer_statistics(state: NodeState, name: str, args: str) -> str:
    objects = sum(store.object_count() for store in state.namespaces.values())
    live = {
        "cluster_size": str(state.cluster_size),
        "cluster_key": state.cluster_key,
        "cluster_generation": str(state.cluster_generation),
        "cluster_principal": state.principal,
        "paxos_principal": state.principal,
        "uptime": str(state.uptime),
        "objects": str(objects),
        "client_connections": str(state.client_connections),
        "client_connections_opened": str(state.client_connections_opened),
        "client_connections_closed": str(state.client_connections_closed),
    }
    return _join([(key, live.get(key, value)) for key, value in STATISTICS_KEYS])


def _replica_count(state: NodeState, namespace: str) -> int:
    return len(state.replica_bitmaps.get(namespace, ())) or 1


def _namespace_bitmaps(state: NodeState, namespace: str) -> Sequence[bytes]:
    return state.replica_bitmaps.get(namespace) or (bytes(_BITMAP_SIZE),)


def _answer_replicas(state: NodeState, name: str, args: str) -> str:
    # regime 0: AP namespaces have no regime.
    return ";".join(
        f"{namespace}:0,{_replica_count(state, namespace)},"
        + ",".join(_b64(bitmap) for bitmap in _namespace_bitmaps(state, namespace))
        for namespace in state.namespaces
    )


def _answer_replicas_all(state: NodeState, name: str, args: str) -> str:
    return ";".join(
        f"{namespace}:{_replica_count(state, namespace)},"
        + ",".join(_b64(bitmap) for bitmap in _namespace_bitmaps(state, namespace))
        for namespace in state.namespaces
    )


def _answer_replicas_master(state: NodeState, name: str, args: str) -> str:
    return ";".join(
        f"{namespace}:{_b64(_namespace_bitmaps(state, namespace)[0])}" for namespace in state.namespaces
    )


def _address(host: str, port: int) -> str:
    return host if port == DEFAULT_SERVICE_PORT else f"{host}:{port}"


def _answer_peers(state: NodeState, name: str, args: str) -> str:
    entries = ",".join(f"[{peer.node_id},,[{_address(peer.host, peer.port)}]]" for peer in state.peers)
    return f"{state.peers_generation},{DEFAULT_SERVICE_PORT},[{entries}]"


def _answer_peers_alt(state: NodeState, name: str, args: str) -> str:
    # No alternate access addresses are configured, so no peer has one to show.
    return f"{state.peers_generation},{DEFAULT_SERVICE_PORT},[]"


def _answer_services(state: NodeState, name: str, args: str) -> str:
    return ";".join(f"{peer.host}:{peer.port}" for peer in state.peers)


def _answer_services_alumni(state: NodeState, name: str, args: str) -> str:
    return ";".join(f"{host}:{port}" for host, port in state.alumni)


def _constant(value: str) -> InfoHandler:
    return lambda state, name, args: value


DEFAULT_HANDLERS: dict[str, InfoHandler] = {
    "node": lambda state, name, args: state.node_id,
    "build": _constant(BUILD),
    "version": lambda state, name, args: f"{_edition_name(state)} build {BUILD}",
    "edition": lambda state, name, args: _edition_name(state),
    "features": _constant(FEATURES),
    "compatibility-id": _constant(COMPATIBILITY_ID),
    "cluster-name": lambda state, name, args: state.cluster_name if state.cluster_name else "null",
    "namespaces": lambda state, name, args: ";".join(state.namespaces),
    "namespace/": _answer_namespace,
    "sets": _answer_sets,
    "sets/": _answer_sets,
    "statistics": _answer_statistics,
    "partitions": _constant(str(N_PARTITIONS)),
    "partition-generation": lambda state, name, args: str(state.partition_generation),
    "replicas": _answer_replicas,
    "replicas-all": _answer_replicas_all,
    "replicas-master": _answer_replicas_master,
    "peers-generation": lambda state, name, args: str(state.peers_generation),
    "peers-clear-std": _answer_peers,
    "peers-clear-alt": _answer_peers_alt,
    "services": _answer_services,
    "services-alumni": _answer_services_alumni,
    # The node's own access address (the deprecated `service` and its clear-text twin).
    "service": lambda state, name, args: f"{state.host}:{state.port}",
    "service-clear-std": lambda state, name, args: f"{state.host}:{state.port}",
    "cluster-stable": lambda state, name, args: state.cluster_key,
    "status": _constant("ok"),
    "get-config": _answer_get_config,
    "user-agent-set": _constant("ok"),
    **{name: lambda state, name, args: dict(_BUILD_DETAILS)[name] for name, _ in _BUILD_DETAILS},
}


def parse_params(args: str) -> dict[str, str]:
    """`a=1;b=2` as a dict (the argument syntax of info commands)."""
    params: dict[str, str] = {}
    for item in args.split(";"):
        if item:
            key, _, value = item.partition("=")
            params[key] = value
    return params


PARAM_FOUND, PARAM_NOT_FOUND, PARAM_TOO_LONG = 0, -1, -2


def info_parameter(args: str, name: str, size: int) -> tuple[int, str]:
    """The server's as_info_parameter_get: (PARAM_*, value) of the first `name=value` of `args`.

    Values end at ';'; a value must be shorter than the server's `size`-byte buffer, else PARAM_TOO_LONG.
    """
    token = 0
    for position, char in enumerate(args):
        if char == ";":
            token = position + 1
        elif char == "=" and args[token:position] == name:
            value = args[position + 1 :].split(";", 1)[0]
            if len(value.encode("utf-8")) >= size:
                return PARAM_TOO_LONG, ""
            return PARAM_FOUND, value
    return PARAM_NOT_FOUND, ""


def command_name(command: str) -> str:
    """The name of an info command: the text before its arguments (`get-config:context=...` -> `get-config`)."""
    return command.partition(":")[0]


def find_handler(handlers: Mapping[str, InfoHandler], name: str) -> Optional[InfoHandler]:
    """The handler of a command name: an exact entry, else the entry of its first path segment plus '/'."""
    handler = handlers.get(name)
    if handler is None and "/" in name:
        handler = handlers.get(name.partition("/")[0] + "/")
    return handler


def answer(
    state: NodeState, commands: Sequence[str], handlers: Mapping[str, InfoHandler] = DEFAULT_HANDLERS
) -> list[tuple[str, str]]:
    """(command, value) pairs answering an info request; no commands asks the server's default list."""
    if not commands:
        commands = DEFAULT_COMMANDS
    pairs = []
    for command in commands:
        name, _, args = command.partition(":")
        handler = find_handler(handlers, name)
        pairs.append((command, handler(state, name, args) if handler is not None else UNKNOWN_COMMAND))
    return pairs
