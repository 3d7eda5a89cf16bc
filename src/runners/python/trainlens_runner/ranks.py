"""Who a rank is: the `hello` fields that make one process of a distributed job a rank (rank,
worldSize, localRank, node, job). A process is a rank when its launcher said so in the environment
(torchrun, a cluster scheduler, or RANK/WORLD_SIZE set by hand) or when it initialised a default
process group (torch.multiprocessing.spawn children, which learn their rank as an argument).

`job` names the job all its ranks share, so that recordings made on different nodes can be merged
and recordings of different jobs refused: the rendezvous address (MASTER_ADDR:MASTER_PORT, or the
process group's init_method) and torchrun's run id where there is one.
"""
import socket


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _job(environ, init_method=None):
    parts = []
    if environ.get("TORCHELASTIC_RUN_ID"):
        parts.append(environ["TORCHELASTIC_RUN_ID"])
    if init_method and init_method != "env://":
        parts.append(init_method)
    elif environ.get("MASTER_ADDR") and environ.get("MASTER_PORT"):
        parts.append("%s:%s" % (environ["MASTER_ADDR"], environ["MASTER_PORT"]))
    return " ".join(parts) or None


def _identity(rank, world_size, environ, init_method=None):
    return {"rank": rank, "worldSize": world_size, "localRank": _int(environ.get("LOCAL_RANK")),
            "node": socket.gethostname(), "job": _job(environ, init_method)}


def from_environment(environ):
    """The rank a launcher gave this process in its environment, or None."""
    rank, world_size = _int(environ.get("RANK")), _int(environ.get("WORLD_SIZE"))
    if rank is None or world_size is None or world_size < 1 or not 0 <= rank < world_size:
        return None
    return _identity(rank, world_size, environ)


def from_process_group(dist, environ, init_method):
    """The rank of this process in the default process group it has just initialised, or None."""
    if not dist.is_initialized():
        return None
    return _identity(dist.get_rank(), dist.get_world_size(), environ, init_method)
