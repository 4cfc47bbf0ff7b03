"""Benchmark: `kempelen serve --workers 1` against `--workers 2` on one PostgreSQL database.

Both servers run at once on the same database (system clock) and are driven in alternating rounds with
the same pre-signed bytes and the same load generator settings as the throughput benchmark, with the bare
app alongside for scale. Reported beside the load generator's own CPU: on a 2-core machine the generator
(wrk: two threads) and PostgreSQL take cores from the server, so two processes cannot show what they do on
a machine with the cores for them.
"""

from __future__ import annotations

import os

from bench import servers, throughput, workload

OPERATIONS = ("GetHIT", "CreateHIT")
GOAL = 1.6  # two processes serve at least 1.6x one process's rate, on a machine with the cores for it


def run(settings: throughput.Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub("processes")
    with servers.database("postgresql", directory) as database_url:
        if database_url is None:
            say("  postgresql: not reachable, skipped")
            return {"skipped": "database not reachable"}
        servers.migrate(database_url, directory)
        bare = servers.bare(directory)
        one = servers.kempelen(database_url, directory, directory, workers=1, name="workers-1")
        two = servers.kempelen(database_url, directory, directory, workers=2, name="workers-2")
        try:
            for server in (bare, one, two):
                server.start()
            mturk = workload.client(one.endpoint)
            hit_ids = [mturk.create_hit(**workload.CREATE_HIT)["HIT"]["HITId"] for _ in range(16)]
            results = {}
            for operation in settings.operations:
                parameters = throughput._parameters(operation, hit_ids, [])
                runs = throughput.alternate(settings, [bare, one, two], operation, parameters, say)
                loads = runs.pop("_load_average")
                pooled = {name: throughput.pool(rs) for name, rs in runs.items()}
                ratio = (pooled["workers-2"]["rate_per_s"] / pooled["workers-1"]["rate_per_s"]
                         if pooled["workers-1"]["rate_per_s"] else None)
                results[operation] = {**pooled, "ratio_2_over_1": ratio, "load_average_per_round": loads}
            return {"operations": results, "cpus": os.cpu_count(), "goal_on_enough_cores": GOAL}
        finally:
            for server in (two, one, bare):
                server.stop()


def summary(processes: dict, settings: dict) -> str:
    if "operations" not in processes:
        return f"Processes: {processes.get('skipped')}"
    rows = [f"Processes: kempelen serve --workers 1 vs --workers 2 on one PostgreSQL database, {settings['concurrency']} "
            f"connections by {settings['generator']}, alternating rounds; {processes['cpus']} CPUs on this machine "
            f"(goal {processes['goal_on_enough_cores']}x needs the cores for it)"]
    for operation, result in processes["operations"].items():
        loads = result["load_average_per_round"]
        parts = [f"{name} {result[name]['rate_per_s']:,.0f}/s (server CPU {result[name]['server_cpu'] * 100:.0f}%, "
                 f"generator CPU {result[name]['client_cpu'] * 100:.0f}%)" for name in ("bare", "workers-1", "workers-2")]
        rows.append(f"  {operation}: " + "; ".join(parts) + f"; 2/1 = {result['ratio_2_over_1']:.2f}; "
                    f"load {min(loads):.1f}-{max(loads):.1f}")
    return "\n".join(rows)
