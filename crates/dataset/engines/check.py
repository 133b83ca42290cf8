#!/usr/bin/env python3
"""Checks that SQL over a trombone Parquet dataset reproduces trombone's own JSON exactly.

The dataset (`--dataset`) holds the rotated pieces of several sites over several days;
`--json` holds the same pieces as JSON, DIR/<site>/<run>/*.json. For each selection of
pieces -- each site-day, each site, each week, everything -- this script merges the JSON
pieces with `trombone merge` (the reference) and queries the dataset, restricted to the
same selection through views, with the engine under test (DuckDB or Spark), then
compares:

- the AS matrix, the country matrix and the traffic totals (sums of the pieces);
- the hairpin totals, every hairpinned pair and its via links;
- every network's p95 and max sample rate in and out (`sizing.networks`), computed in SQL
  from the sample rows by the nearest-rank rule (crates/dataset/queries/
  p95_per_network_per_month.sql);

and runs every query shipped in crates/dataset/queries against the whole dataset,
checking its rows against the merged JSON of the days, weeks or sites it covers. Integers
must be equal and floats bit-identical: any difference fails.

Usage: check.py --engine duckdb|spark --dataset DS --json J --trombone BIN --queries DIR
"""

import argparse
import collections
import datetime as dt
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

TABLES = ["as_matrix", "country_matrix", "hairpin_pairs", "local_pairs", "via", "samples", "capture_health", "results"]


def utc_day(ns):
    return dt.datetime.fromtimestamp(ns // 1_000_000_000, tz=dt.timezone.utc).date()


def week_of(day):
    return day - dt.timedelta(days=day.weekday())


class DuckDB:
    name = "duckdb"

    def __init__(self, dataset):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.dataset = dataset
        self.version = duckdb.__version__
        for t in TABLES:
            if glob.glob(os.path.join(dataset, t, "*", "*", "*.parquet")):
                self.con.execute(
                    f"CREATE VIEW all_{t} AS SELECT * FROM read_parquet("
                    f"'{dataset}/{t}/*/*/*.parquet', hive_partitioning = true, "
                    f"hive_types = {{'site': VARCHAR, 'date': DATE}})"
                )

    def tables(self):
        return [r[0][4:] for r in self.sql("SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'all_%'")]

    def sql(self, q):
        return [tuple(r) for r in self.con.execute(q).fetchall()]

    def view(self, name, q):
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {q}")


class Spark:
    name = "spark"

    def __init__(self, dataset):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("trombone-dataset-check")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.default.parallelism", "2")
            # kilobytes of data: adaptive planning and the optimising JIT cost more than they save
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        self.version = self.spark.version
        self._tables = []
        for t in TABLES:
            if glob.glob(os.path.join(dataset, t, "*", "*", "*.parquet")):
                self.spark.read.parquet(os.path.join(dataset, t)).createOrReplaceTempView(f"all_{t}")
                # small tables: read the files once, not once per query
                self.spark.catalog.cacheTable(f"all_{t}")
                self._tables.append(t)

    def tables(self):
        return self._tables

    def sql(self, q):
        return [tuple(r) for r in self.spark.sql(q).collect()]

    def view(self, name, q):
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {q}")


class Checker:
    def __init__(self, engine, trombone, queries, json_root):
        self.e = engine
        self.trombone = trombone
        self.queries = queries
        self.failures = 0
        self.checks = 0
        self.tmp = tempfile.mkdtemp(prefix="trombone-engines-")
        # every JSON piece: (site, day, path)
        self.pieces = []
        for site in sorted(os.listdir(json_root)):
            for p in sorted(glob.glob(os.path.join(json_root, site, "*", "*.json"))):
                with open(p) as f:
                    r = json.load(f)
                start = r["interval"]["start_ns"] if r.get("interval") else r["time"]["first_ns"]
                assert r.get("site") == site, (p, r.get("site"))
                self.pieces.append((site, utc_day(start), p))

    # --- reference ----------------------------------------------------------------
    def merged(self, pieces, label):
        out = os.path.join(self.tmp, label.replace(" ", "_").replace("/", "_") + ".json")
        if not os.path.exists(out):
            subprocess.run(
                [self.trombone, "merge", "--sizing-top", "1000000", "-o", out] + [p for _, _, p in pieces],
                check=True,
                stderr=subprocess.DEVNULL,
            )
        with open(out) as f:
            return json.load(f)

    # --- selection views -------------------------------------------------------------
    def select(self, where):
        for t in self.e.tables():
            self.e.view(t, f"SELECT * FROM all_{t} WHERE {where}")

    def query(self, name):
        with open(os.path.join(self.queries, name)) as f:
            return self.e.sql(f.read())

    # --- comparison ------------------------------------------------------------------
    def same(self, what, got, want):
        self.checks += 1
        if got == want:
            return
        self.failures += 1
        print(f"FAIL [{self.e.name}] {what}", file=sys.stderr)
        if isinstance(got, dict) and isinstance(want, dict):
            for k in sorted(set(got) | set(want), key=repr):
                if got.get(k) != want.get(k):
                    print(f"    {k!r}: sql {got.get(k)!r} != json {want.get(k)!r}", file=sys.stderr)
        else:
            print(f"    sql:  {got!r}\n    json: {want!r}", file=sys.stderr)

    def check_selection(self, label, where, pieces):
        m = self.merged(pieces, label)
        self.select(where)
        e = self.e
        # AS matrix
        got = {
            r[:4]: r[4:]
            for r in e.sql(
                "SELECT src_asn, src_country, dst_asn, dst_country, SUM(packets), SUM(bytes), SUM(flows) "
                "FROM as_matrix GROUP BY src_asn, src_country, dst_asn, dst_country"
            )
        }
        want = {
            (c["src_asn"], c["src_country"], c["dst_asn"], c["dst_country"]): (c["packets"], c["bytes"], c["flows"])
            for c in m["as_matrix"]
        }
        self.same(f"{label}: AS matrix ({len(want)} cells)", got, want)
        # country matrix
        got = {
            r[:2]: r[2:]
            for r in e.sql(
                "SELECT src_country, dst_country, SUM(packets), SUM(bytes), SUM(flows) "
                "FROM country_matrix GROUP BY src_country, dst_country"
            )
        }
        want = {(c["src_country"], c["dst_country"]): (c["packets"], c["bytes"], c["flows"]) for c in m["country_matrix"]}
        self.same(f"{label}: country matrix ({len(want)} cells)", got, want)
        # totals
        keys = ["frames", "ip_packets", "ip_bytes", "wire_bytes", "non_ip_frames", "malformed_frames",
                "unsupported_frames", "flows", "untimed_frames", "late_packets"]
        got = dict(zip(keys, e.sql("SELECT " + ", ".join(f"SUM({k})" for k in keys) + " FROM results")[0]))
        want = {k: m["totals"][k] for k in keys}
        self.same(f"{label}: totals", got, want)
        # hairpin totals
        h = m["hairpin"]
        cols = [("hairpin_packets", "packets"), ("hairpin_bytes", "bytes"), ("hairpin_observations", "observations"),
                ("hairpin_reobserved_packets", "reobserved_packets"), ("local_packets", "local_packets"),
                ("local_bytes", "local_bytes")]
        row = e.sql("SELECT " + ", ".join(f"SUM({c})" for c, _ in cols) + " FROM results")[0]
        got = {j: v for (_, j), v in zip(cols, row)}
        want = {j: h["totals"][j] for _, j in cols}
        self.same(f"{label}: hairpin totals", got, want)
        # hairpin pairs
        # a pair's local bytes: from local_pairs, which has a row wherever the pair had
        # local traffic (hairpin_pairs has rows only where it hairpinned)
        got = {
            r[:4]: r[4:]
            for r in e.sql(
                "SELECT h.src_asn, h.src_country, h.dst_asn, h.dst_country, h.p, h.b, h.o, h.r, l.lb FROM "
                "(SELECT src_asn, src_country, dst_asn, dst_country, SUM(packets) AS p, SUM(bytes) AS b, "
                "SUM(observations) AS o, SUM(reobserved_packets) AS r FROM hairpin_pairs "
                "GROUP BY src_asn, src_country, dst_asn, dst_country) h "
                "LEFT JOIN (SELECT src_asn, src_country, dst_asn, dst_country, SUM(bytes) AS lb FROM local_pairs "
                "GROUP BY src_asn, src_country, dst_asn, dst_country) l "
                "ON h.src_asn = l.src_asn AND h.dst_asn = l.dst_asn "
                "AND h.src_country IS NOT DISTINCT FROM l.src_country "
                "AND h.dst_country IS NOT DISTINCT FROM l.dst_country"
            )
        } if "hairpin_pairs" in e.tables() and "local_pairs" in e.tables() else {}
        want = {
            (p["src_asn"], p["src_country"], p["dst_asn"], p["dst_country"]):
                (p["packets"], p["bytes"], p["observations"], p["reobserved_packets"], p["local_bytes"])
            for p in h["pairs"]
        }
        self.same(f"{label}: hairpin pairs ({len(want)})", got, want)
        # via links of each pair
        got = {
            r[:5]: r[5:]
            for r in e.sql(
                "SELECT src_asn, src_country, dst_asn, dst_country, link, SUM(packets), SUM(bytes) FROM via "
                "GROUP BY src_asn, src_country, dst_asn, dst_country, link"
            )
        } if "via" in e.tables() else {}
        want = {
            (p["src_asn"], p["src_country"], p["dst_asn"], p["dst_country"], v["link"]): (v["packets"], v["bytes"])
            for p in h["pairs"]
            for v in p["via"]
        }
        self.same(f"{label}: via links ({len(want)})", got, want)
        # p95 and max per network, in and out, from the sample rows
        rows = self.query("p95_per_network_per_month.sql")
        months = {r[0] for r in rows}
        self.same(f"{label}: one month", len(months), 1)
        got = {(r[1], r[2], r[3]): (r[4], r[5], r[6], r[7]) for r in rows}
        want = {}
        for n in m["sizing"]["networks"]:
            c = n["country"] if n["asn"] == 0 else None
            for d in ("in", "out"):
                x = n[d]
                if x["bytes"] > 0 or (n["asn"], c, d) in got:
                    want[(n["asn"], c, d)] = (x["samples"], x["bytes"], x["p95_mbps"], x["max_mbps"])
        self.same(f"{label}: p95/max per network ({len(want)} series, {m['sizing']['samples']} samples)", got, want)
        nonzero = sum(1 for v in want.values() if v[2] > 0)
        return nonzero

    def run(self, quick):
        """Every selection; with `quick`, the site-day with the most pieces, the site with
        the most days and everything (an engine whose every query costs seconds)."""
        t0 = time.time()
        sites = sorted({s for s, _, _ in self.pieces})
        days = sorted({(s, d) for s, d, _ in self.pieces})
        nonzero_p95 = 0
        check_days, check_sites = days, sites
        if quick:
            count = collections.Counter((s, d) for s, d, _ in self.pieces)
            check_days = [max(days, key=lambda k: (count[k], k))]
            check_sites = [max(sites, key=lambda x: (len({d for s, d in days if s == x}), x))]
        for s, d in check_days:
            sel = [x for x in self.pieces if x[0] == s and x[1] == d]
            nonzero_p95 += self.check_selection(
                f"site {s} {d}", f"site = '{s}' AND date = DATE '{d}'", sel)
        for s in check_sites:
            sel = [x for x in self.pieces if x[0] == s]
            self.check_selection(f"site {s}", f"site = '{s}'", sel)
        self.check_selection("all sites", "TRUE", self.pieces)
        self.same("some p95 figures are non-zero (the check is not vacuous)", nonzero_p95 > 0, True)

        # --- the shipped queries, over the whole dataset ---------------------------------
        self.select("TRUE")
        rows = self.query("local_share_per_day.sql")
        got = {(r[0], r[1]): r[2:] for r in rows}
        want = {}
        for s, d in days:
            m = self.merged([x for x in self.pieces if x[0] == s and x[1] == d], f"site {s} {d}")
            h = m["hairpin"]["totals"]
            ip = m["totals"]["ip_bytes"]
            want[(d, s)] = (ip, h["local_bytes"], h["bytes"],
                            h["local_bytes"] / ip if ip else None, h["share_of_local_bytes"])
        self.same("local_share_per_day.sql", got, want)

        rows = self.query("top_hairpinned_pairs_per_week.sql")
        got = collections.defaultdict(list)
        for r in rows:
            got[r[0]].append(r[1:])
        want = {}
        for w in sorted({week_of(d) for _, d, _ in self.pieces}):
            m = self.merged([x for x in self.pieces if week_of(x[1]) == w], f"week {w}")
            ps = sorted(m["hairpin"]["pairs"], key=lambda p: (
                -p["bytes"], p["src_asn"], p["dst_asn"],
                (p["src_country"] is not None, p["src_country"] or ""),
                (p["dst_country"] is not None, p["dst_country"] or "")))
            want[w] = [
                (i + 1, p["src_asn"], p["src_country"], p["dst_asn"], p["dst_country"], p["packets"], p["bytes"],
                 p["observations"], p["local_bytes"], p["bytes"] / p["local_bytes"] if p["local_bytes"] else None)
                for i, p in enumerate(ps[:10])
            ]
        self.same(f"top_hairpinned_pairs_per_week.sql ({len(want)} weeks)", dict(got), want)

        m_all = self.merged(self.pieces, "all sites")
        rows = self.query("via_network_ranking.sql")
        got = [(r[0], r[1], r[2], r[4], r[5], r[6], r[7]) for r in rows]
        acc = collections.OrderedDict()
        for p in m_all["hairpin"]["pairs"]:
            for v in p["via"]:
                k = (v["asn"], v["country"])
                a = acc.setdefault(k, [0, 0])
                a[0] += v["packets"]
                a[1] += v["bytes"]
        sites_of = collections.defaultdict(set)
        for s in sites:
            m = self.merged([x for x in self.pieces if x[0] == s], f"site {s}")
            for p in m["hairpin"]["pairs"]:
                for v in p["via"]:
                    sites_of[(v["asn"], v["country"])].add(s)
        total = m_all["hairpin"]["totals"]["bytes"]
        ranked = sorted(acc.items(), key=lambda kv: (-kv[1][1], kv[0][0], (kv[0][1] is not None, kv[0][1] or "")))
        want = [(i + 1, k[0], k[1], len(sites_of[k]), a[0], a[1], a[1] / total) for i, (k, a) in enumerate(ranked)]
        self.same(f"via_network_ranking.sql ({len(want)} networks)", got, want)

        # the monthly p95 query over everything: the merge of every piece (one month here)
        rows = self.query("p95_per_network_per_month.sql")
        got = {(r[0], r[1], r[2], r[3]): r[5:] for r in rows}
        want = {}
        month = {r[0] for r in rows}
        for n in m_all["sizing"]["networks"]:
            c = n["country"] if n["asn"] == 0 else None
            for d in ("in", "out"):
                if n[d]["bytes"] > 0:
                    want[(min(month), n["asn"], c, d)] = (n[d]["bytes"], n[d]["p95_mbps"], n[d]["max_mbps"])
        got = {k: v for k, v in got.items() if v[0] > 0}
        self.same(f"p95_per_network_per_month.sql ({len(want)} series)", got, want)

        print(
            f"[{self.e.name} {self.e.version}] {len(self.pieces)} pieces, {len(sites)} sites, {len(days)} site-days: "
            f"{self.checks - self.failures} passed, {self.failures} failed ({time.time() - t0:.1f} s of queries)",
            file=sys.stderr,
        )
        return self.failures == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["duckdb", "spark"], required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--trombone", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--quick", action="store_true",
                    help="check one site-day, one site and everything instead of every site-day and site")
    a = ap.parse_args()
    t0 = time.time()
    engine = DuckDB(a.dataset) if a.engine == "duckdb" else Spark(a.dataset)
    startup = time.time() - t0
    ok = Checker(engine, a.trombone, a.queries, a.json).run(a.quick)
    print(f"[{a.engine}] engine start {startup:.1f} s, total {time.time() - t0:.1f} s", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
