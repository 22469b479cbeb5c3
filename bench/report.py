"""Formatting the benchmark's results: the terminal table, the README section, deltas, and which
of product.md's targets are met."""


def _ms(value):
    return "—" if value is None else f"{value:.1f}"


def _kb(value):
    return "—" if value is None else f"{value / 1024:.0f} KB"


def _delta(now, before, unit="ms"):
    if now is None or before is None:
        return ""
    diff = now - before
    pct = f", {diff / before * 100:+.0f}%" if before else ""
    return f"{diff:+.1f} {unit}{pct}"


def load_runs(load):
    """The runs of a load entry, one per concurrency (older results held a single run)."""
    if load.get("present") is False:
        return []
    return load.get("runs") or ([load] if load.get("rps") is not None else [])


def compare(previous, results):
    """Differences with the previous run, by row key."""
    if not previous:
        return {}
    deltas = {}
    for key, entry in results.get("pages", {}).items():
        old = previous.get("pages", {}).get(key, {})
        if entry.get("server_ms") and old.get("server_ms"):
            deltas[key] = _delta(entry["server_ms"]["median"], old["server_ms"]["median"])
        elif entry.get("present") and not old.get("present"):
            deltas[key] = "new"
    for key, entry in results.get("load", {}).items():
        before = {run["concurrency"]: run for run in load_runs(previous.get("load", {}).get(key, {}))}
        for run in load_runs(entry):
            old = before.get(run["concurrency"])
            if old and run.get("rps") is not None and old.get("rps") is not None:
                deltas[f"load:{key}:{run['concurrency']}"] = _delta(run["rps"], old["rps"], "req/s")
    old_fl = (previous.get("first_load") or {}).get("total_bytes")
    new_fl = (results.get("first_load") or {}).get("total_bytes")
    if old_fl is not None and new_fl is not None:
        deltas["first_load"] = f"{(new_fl - old_fl) / 1024:+.1f} KB"
    old_rem = _first_run(previous.get("reminders"))
    new_rem = _first_run(results.get("reminders"))
    if old_rem and new_rem:
        deltas["reminders"] = _delta(new_rem["seconds"], old_rem["seconds"], "s")
    deltas["_previous"] = f"{previous.get('date', '?')} ({previous.get('commit', '?')})"
    return deltas


def _first_run(reminders):
    if reminders and reminders.get("present") and not reminders.get("error") and reminders.get("runs"):
        return reminders["runs"][0]
    return None


def verdict(entry):
    """The page's target and whether its median meets it: "≤ 4× ✓", "≤ 3× ✗ (5.2×)", "≤ 5000 ms ✓"."""
    timing = entry.get("server_ms")
    if not timing:
        return ""
    ratio, target = entry.get("ratio_to_floor"), entry.get("ratio_target")
    if target and ratio is not None:
        return f"≤ {target}× ✓" if ratio <= target else f"≤ {target}× ✗ ({ratio}×)"
    budget = entry.get("budget_ms")
    if budget:
        median = timing["median"]
        return f"≤ {budget} ms ✓" if median <= budget else f"≤ {budget} ms ✗ (+{median - budget:.0f} ms)"
    return ""


def rows(results):
    """(label, status, queries, server median, server p95, SQL, client median, ×floor, first load, target, key) per page."""
    out = []
    for key, entry in results["pages"].items():
        if not entry.get("present"):
            out.append((entry["label"], "not present", "", "", "", "", "", "", "", "", key))
            continue
        statuses = ",".join(str(s) for s in entry.get("statuses", []))
        queries = entry.get("queries")
        if queries is not None and entry.get("queries_min") not in (None, queries):
            queries = f"{entry['queries_min']}–{queries}"
        out.append(
            (
                entry["label"],
                statuses,
                "—" if queries is None else str(queries),
                _ms((entry.get("server_ms") or {}).get("median")),
                _ms((entry.get("server_ms") or {}).get("p95")),
                _ms((entry.get("sql_ms") or {}).get("median")),
                _ms((entry.get("client_ms") or {}).get("median")),
                f"{entry['ratio_to_floor']}×" if entry.get("ratio_to_floor") else "",
                _kb(entry.get("first_load_bytes")) if entry.get("first_load_bytes") else "",
                verdict(entry),
                key,
            )
        )
    return out


HEADERS = (
    "page",
    "HTTP",
    "queries",
    "server median ms",
    "server p95 ms",
    "of which SQL ms",
    "client median ms",
    "× floor",
    "first load",
    "target",
)


def _dataset_line(d, build):
    if "enrolled_today" in d:
        text = (
            f"{d['enrolled_pre_2025']:,} communes of the pre-2025 map enrolled and ended by the reorganisation, "
            f"{d['enrolled_today']:,} of today's {d['communes_today']:,} enrolled ({d['carried_over']:,} carried "
            f"over) in {d['review_areas']:,} review areas; {d['plans']} plans ({d['plans_open']} open), "
            f"{d['steps']:,} steps, {d['announcements']:,} announcements, {d['expenditures']:,} expenditures, "
            f"{d['step_history_rows'] + d['enrolment_history_rows']:,} history rows of steps and enrolments, "
            f"{d['users']:,} users; {d['database_mb']} MB"
        )
    else:
        text = (
            f"{d['enrolled_communes']:,} communes enrolled in {d['plans']} plans, {d['steps']:,} steps, "
            f"{d['announcements']:,} announcements, {d.get('expenditures', 0):,} expenditures, "
            f"{d['step_history_rows'] + d['enrolment_history_rows']:,} history rows of steps and enrolments, "
            f"{d['users']} users; {d['database_mb']} MB"
        )
    return text + (f"; built in {build:.0f} s" if build else "")


def _served(method):
    if method.get("threads", 1) > 1:
        return f"{method['workers']} gunicorn workers × {method['threads']} threads"
    return f"{method.get('workers')} gunicorn workers, one request at a time each"


def table(results, deltas=None):
    deltas = deltas or {}
    lines = []
    body = [r[:-1] + (deltas.get(r[-1], ""),) for r in rows(results)]
    headers = HEADERS + (("Δ median vs previous",) if deltas else ("",))
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *body)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    lines.append(f"isotrack benchmark — {results['date']} — commit {results['commit']}")
    m = results["machine"]
    lines.append(
        f"machine: {m.get('nproc')} CPU ({m.get('cpu', '?')}), {m.get('memory_gb', '?')} GB, "
        f"PostgreSQL {m.get('postgresql', '?')}, Python {m.get('python')}; {_served(results['method'])}"
    )
    lines.append(f"dataset: {_dataset_line(results['dataset'], results.get('dataset_build_seconds'))}")
    if deltas.get("_previous"):
        lines.append(f"compared with: {deltas['_previous']}")
    lines.append("")
    lines.append(fmt.format(*headers))
    for row in body:
        lines.append(fmt.format(*row))
    lines.append("")
    for entry in results["pages"].values():
        slow = entry.get("slowest_query")
        if slow and slow["ms"] >= 5:
            lines.append(f"slowest query of {entry['label']}: {slow['ms']:.1f} ms: {slow['sql'][:160]}…")
    for key, load in results.get("load", {}).items():
        if load.get("present") is False:
            lines.append(f"load, {load['label']}: not present")
        for run in load_runs(load):
            delta = deltas.get(f"load:{key}:{run['concurrency']}", "")
            lines.append(f"{load_line(load['label'], run)} {delta}")
    build = results.get("dashboard_build")
    if build:
        lines.append(dashboard_build_line(build))
    fl = results.get("first_load")
    if fl:
        ok = "✓" if fl["total_bytes"] <= fl["budget_bytes"] else "✗"
        lines.append(
            f"first load of {fl['page']} (gzip as served): {_kb(fl['total_bytes'])} "
            f"(budget {_kb(fl['budget_bytes'])} {ok}) {deltas.get('first_load', '')}"
        )
        for item in fl["items"]:
            lines.append(f"    {item['bytes']:>8} B  {item['encoding']:<9} {item['url']}")
    lines.append(reminder_line(results.get("reminders"), deltas.get("reminders", "")))
    lines.append(import_line(results.get("import")))
    lines.append("")
    lines.append("targets (product.md):")
    lines += [f"  {line.replace('**', '')}" for line in budget_status(results)]
    return "\n".join(lines)


def load_line(label, run):
    lat = run.get("latency_ms") or {}
    return (
        f"Load ({run.get('tool', '?')}), {label}: {run['rps']} req/s with {run['concurrency']} concurrent clients "
        f"for {run['seconds']} s ({run['errors']} errors; latency median {lat.get('median')} ms, "
        f"p95 {lat.get('p95')} ms)"
    )


def dashboard_build_line(build):
    parts = ", ".join(
        f"{p['label']} {p['median_ms']:.1f} ms ({p['queries']} queries)" for p in build["provinces"].values()
    )
    return f"Dashboard build without its cache (median, in process): {parts}"


def reminder_line(rem, delta=""):
    if not rem or not rem.get("present"):
        return f"reminder job: not present — {(rem or {}).get('note', 'not run')}"
    if rem.get("error"):
        return f"reminder job: failed: {rem['error']}"
    first, second = rem["runs"]
    ok = "✓" if first["seconds"] <= rem.get("budget_seconds", 5) else "✗"
    again = (
        "sent nothing ✓"
        if rem["second_run_sends_nothing"]
        else (f"sent {second['emails']} e-mails, new rows {second['new_rows']} ✗")
    )
    return (
        f"reminder job over all steps ({rem['date']}): {first['seconds']:.2f} s (budget "
        f"{rem.get('budget_seconds', 5):g} s {ok}), {first['queries']} queries, {first['emails']} e-mails "
        f"(sent by the workers after the job: {first.get('delivery_seconds', 0):.2f} s on one worker), "
        f"new rows {first['new_rows']}; second run: {second['seconds']:.2f} s, {second['queries']} queries, "
        f"{again} {delta}"
    )


def import_line(imp):
    if not imp or not imp.get("present"):
        return f"import of 10,000 rows: not present — {(imp or {}).get('note', 'not run')}"
    if imp.get("error"):
        return f"import of 10,000 rows: failed: {imp['error']}"
    ok = "✓" if imp["seconds"] <= imp.get("budget_seconds", 20) else "✗"
    counts = ", ".join(f"{key} {value}" for key, value in (imp.get("counts") or {}).items() if value)
    return (
        f"import of {imp['rows']:,} rows ({imp['bytes'] / 1024 / 1024:.1f} MB .xlsx): read and previewed in "
        f"{imp['seconds']:.1f} s (budget {imp.get('budget_seconds', 20):.0f} s {ok}; planning "
        f"{imp['preview_seconds']:.1f} s), rows: {counts}"
    )


def markdown(results):
    m, d = results["machine"], results["dataset"]
    method = results["method"]
    floor = (results["pages"].get("healthz") or {}).get("server_ms") or {}
    out = [
        f"Latest run: **{results['date']}**, commit `{results['commit']}`, on {m.get('nproc')} CPU "
        f"({m.get('cpu', '?')}), {m.get('memory_gb', '?')} GB RAM, PostgreSQL {m.get('postgresql', '?')}, "
        f"Python {m.get('python')}.",
        "",
        f"Dataset: {_dataset_line(d, results.get('dataset_build_seconds'))}.",
        "",
        f"Server time is Django's handling time from the `Server-Timing` header (median and 95th percentile "
        f"of {method['requests_per_page']} requests after warm-up, {_served(method)}, production settings), of "
        f"which SQL is the time spent waiting for the database; client time adds loopback HTTP. **× floor** is "
        f"the median over that of `/healthz/` signed in"
        + (f" ({floor['median']:.1f} ms in this run)" if floor.get("median") else "")
        + "; **target** is product.md's bound for the page. Pages are asked for as a browser does, accepting "
        "gzip (the server time includes compressing them). First load is HTML + CSS + JS + fonts as served "
        "(static files gzip by WhiteNoise, HTML by GZipMiddleware). Figures move with other work on "
        "the machine: compare runs made on a quiet one.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + "|",
    ]
    for row in rows(results):
        out.append("| " + " | ".join(str(x) for x in row[:-1]) + " |")
    out.append("")
    for load in results.get("load", {}).values():
        if load.get("present") is False:
            out.append(f"- Load, {load['label']}: not present yet.")
        for run in load_runs(load):
            out.append(
                f"- {load_line(load['label'], run)}.".replace(f": {run['rps']} req/s", f": **{run['rps']} req/s**")
            )
    build = results.get("dashboard_build")
    if build:
        out.append(f"- {dashboard_build_line(build)}.")
    fl = results.get("first_load")
    if fl:
        ok = "within" if fl["total_bytes"] <= fl["budget_bytes"] else "**over**"
        parts = ", ".join(f"{i['url'].rsplit('/', 1)[-1] or i['url']} {i['bytes'] / 1024:.1f} KB" for i in fl["items"])
        out.append(
            f"- First load of the sign-in page: **{_kb(fl['total_bytes'])}** ({ok} the "
            f"{_kb(fl['budget_bytes'])} budget): {parts}."
        )
    out.append("- " + reminder_line(results.get("reminders")).replace("reminder job", "Reminder job", 1))
    out.append("- " + import_line(results.get("import")).replace("import", "Excel import", 1) + ".")
    anonymous = (results["pages"].get("healthz_anon") or {}).get("server_ms")
    if anonymous and floor:
        out.append(
            f"- Floor: `/healthz/` takes {anonymous['median']:.1f} ms anonymous, {floor['median']:.1f} ms "
            f"signed in (the session read, the user and the scope every signed-in page needs)."
        )
    out.append("")
    out.append("Targets (`product.md`):")
    out += [f"- {line}" for line in budget_status(results)]
    return "\n".join(out)


def budget_status(results):
    """One line per target of product.md: met, not met (by how much), or not measured yet."""
    lines = []
    for entry in results["pages"].values():
        target, budget = entry.get("ratio_target"), entry.get("budget_ms")
        if not (target or budget):
            continue
        bound = f"{target}× the floor" if target else f"{budget} ms"
        timing = entry.get("server_ms")
        if not entry.get("present"):
            lines.append(f"{entry['label']} ≤ {bound}: not measured (page not present).")
        elif not timing:
            lines.append(f"{entry['label']} ≤ {bound}: not measured (no server time).")
        elif entry.get("statuses") != [200]:
            lines.append(f"{entry['label']} ≤ {bound}: not measured (HTTP {entry.get('statuses')}).")
        elif target and entry.get("ratio_to_floor") is None:
            lines.append(f"{entry['label']} ≤ {bound}: not measured (no floor).")
        elif target:
            ratio = entry["ratio_to_floor"]
            if ratio <= target:
                lines.append(f"{entry['label']} ≤ {bound}: met ({ratio}×, {timing['median']:.1f} ms).")
            else:
                lines.append(f"{entry['label']} ≤ {bound}: **not met**, {ratio}× ({timing['median']:.1f} ms).")
        elif timing["median"] <= budget:
            lines.append(f"{entry['label']} ≤ {bound}: met ({timing['median']:.1f} ms).")
        else:
            lines.append(
                f"{entry['label']} ≤ {bound}: **not met**, {timing['median']:.1f} ms "
                f"({timing['median'] - budget:.1f} ms over)."
            )
    max_queries = (results.get("targets") or {}).get("max_queries")
    if max_queries:
        over = [
            f"{e['label']}: {e['queries']}"
            for e in results["pages"].values()
            if e.get("queries") is not None and e["queries"] > max_queries
        ]
        if over:
            lines.append(f"At most {max_queries} queries a page: **not met** ({'; '.join(over)}).")
        else:
            most = max((e["queries"] for e in results["pages"].values() if e.get("queries") is not None), default=0)
            lines.append(f"At most {max_queries} queries a page: met (at most {most}).")
    # Compared in the steady state (the fewest queries of the samples): a web process reads a user's
    # roles once per data version (accounts.scope), one query more on the first page it serves them.
    for entry in results["pages"].values():
        other = results["pages"].get(entry.get("same_queries_as") or "")
        steady, other_steady = (page.get("queries_min", page.get("queries")) for page in (entry, other or {}))
        if other and steady is not None and other_steady is not None:
            met = "met" if steady == other_steady else "**not met**"
            lines.append(
                f"Queries independent of data size, once a process knows the user's roles: {met} "
                f"({entry['label']}: {steady}, {other['label']}: {other_steady})."
            )
    for load in results.get("load", {}).values():
        runs = load_runs(load)
        if len(runs) >= 2:
            low, high = runs[0], runs[-1]
            met = "met" if high["rps"] >= low["rps"] else "**not met**"
            lines.append(
                f"{load['label']}: throughput at {high['concurrency']} concurrent clients no lower than at "
                f"{low['concurrency']}: {met} ({high['rps']} against {low['rps']} req/s)."
            )
    build = results.get("dashboard_build")
    if build:
        worst = max(build["provinces"].values(), key=lambda p: p["median_ms"])
        met = "met" if worst["median_ms"] <= build["budget_ms"] else "**not met**"
        lines.append(
            f"A dashboard's uncached build ≤ {build['budget_ms']} ms: {met} ({worst['label']}: "
            f"{worst['median_ms']:.1f} ms)."
        )
    fl = results.get("first_load")
    if fl:
        loads = [(fl["total_bytes"], "sign-in page")] + [
            (e["first_load_bytes"], e["label"]) for e in results["pages"].values() if e.get("first_load_bytes")
        ]
        worst, where = max(loads)
        if worst <= fl["budget_bytes"]:
            lines.append(f"First load ≤ {_kb(fl['budget_bytes'])}: met (largest {_kb(worst)}, {where}).")
        else:
            lines.append(
                f"First load ≤ {_kb(fl['budget_bytes'])}: **not met**, {_kb(worst)} ({where}), "
                f"{_kb(worst - fl['budget_bytes'])} over."
            )
    rem = results.get("reminders") or {}
    first = _first_run(rem)
    if not first:
        lines.append(
            f"Reminder job ≤ {rem.get('budget_seconds', 5):g} s: not measured "
            f"({rem.get('error') or rem.get('note') or 'not run'})."
        )
    else:
        met = first["seconds"] <= rem.get("budget_seconds", 5)
        lines.append(
            f"Reminder job ≤ {rem.get('budget_seconds', 5):g} s: {'met' if met else '**not met**'} "
            f"({first['seconds']:.2f} s); second run "
            f"{'sent nothing' if rem.get('second_run_sends_nothing') else '**sent again**'}."
        )
    imp = results.get("import") or {}
    if imp.get("present") and not imp.get("error") and "seconds" in imp:
        met = imp["seconds"] <= imp.get("budget_seconds", 20)
        lines.append(
            f"Excel import of {imp['rows']:,} rows read and previewed ≤ {imp.get('budget_seconds', 20):.0f} s: "
            f"{'met' if met else '**not met**'} ({imp['seconds']:.1f} s)."
        )
    return lines
