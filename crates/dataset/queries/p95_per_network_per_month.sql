-- p95 and max of the sample rates (Mbit/s) of every network, in and out, per month, all
-- sites added up sample by sample (as `trombone merge` adds them) -- what IXP ports are
-- sized on. The nearest-rank rule of trombone's sizing section, in SQL:
--   the span runs from the month's first timed packet to its last, in bins (`bin_s`);
--   a sample's rate is its bytes over the seconds of it inside the span (partial first and
--   last samples); samples without traffic count as zero; sort the n rates ascending and
--   take element ceil(0.95 n). Reproduces `sizing.networks[].in/out.p95_mbps` exactly.
-- Integer division is written (a - a % b) / b, rounded: exact, and the same in DuckDB,
-- Spark, Trino and ClickHouse.
WITH kept AS (
    SELECT result_id, date, first_ns, last_ns, bin_s, sample_s
    FROM results
    WHERE merged_results IS NULL AND first_ns IS NOT NULL
),
span AS (
    SELECT CAST(date_trunc('month', date) AS DATE) AS month,
           MIN(first_ns) AS first_ns,
           MAX(last_ns) AS last_ns,
           CAST(ROUND(MAX(bin_s) * 1e9) AS BIGINT) AS bin_ns,
           CAST(ROUND(MAX(sample_s) * 1e9) AS BIGINT) AS sample_ns
    FROM kept
    GROUP BY CAST(date_trunc('month', date) AS DATE)
),
bins AS (
    SELECT month, bin_ns,
           CAST(ROUND((first_ns - first_ns % bin_ns) / bin_ns) AS BIGINT) AS first_bin,
           CAST(ROUND((last_ns - last_ns % bin_ns) / bin_ns) AS BIGINT) AS last_bin,
           CAST(ROUND((sample_ns - sample_ns % bin_ns) / bin_ns) AS BIGINT) AS per_sample
    FROM span
),
grid AS (
    SELECT month, bin_ns, first_bin, last_bin, per_sample,
           CAST(ROUND((first_bin - first_bin % per_sample) / per_sample) AS BIGINT) AS s0,
           CAST(ROUND((last_bin - last_bin % per_sample) / per_sample) AS BIGINT) AS s1
    FROM bins
),
params AS (
    SELECT grid.*,
           s1 - s0 + 1 AS n,
           LEAST(GREATEST(CAST(CEIL(CAST(0.95 AS DOUBLE) * CAST(s1 - s0 + 1 AS DOUBLE)) AS BIGINT), 1), s1 - s0 + 1) AS rank95
    FROM grid
),
net AS (
    SELECT CAST(date_trunc('month', date) AS DATE) AS month,
           kind, asn, COALESCE(country, '') AS ckey, sample_index,
           SUM(bytes) AS bytes, SUM(packets) AS packets
    FROM samples
    WHERE kind IN ('network_in', 'network_out')
      AND result_id IN (SELECT result_id FROM kept)
    GROUP BY CAST(date_trunc('month', date) AS DATE), kind, asn, COALESCE(country, ''), sample_index
),
rates AS (
    SELECT net.month, net.kind, net.asn, net.ckey, net.bytes, net.packets,
           CAST(net.bytes AS DOUBLE)
             / (CAST(LEAST(net.sample_index * p.per_sample + p.per_sample - 1, p.last_bin)
                     - GREATEST(net.sample_index * p.per_sample, p.first_bin) + 1 AS DOUBLE)
                * (CAST(p.bin_ns AS DOUBLE) / 1e9)) AS bps
    FROM net JOIN params p ON net.month = p.month
    WHERE net.sample_index BETWEEN p.s0 AND p.s1 AND (net.bytes > 0 OR net.packets > 0)
),
ranked AS (
    SELECT rates.*,
           ROW_NUMBER() OVER (PARTITION BY month, kind, asn, ckey ORDER BY bps) AS rn,
           COUNT(*) OVER (PARTITION BY month, kind, asn, ckey) AS m
    FROM rates
),
series AS (
    SELECT DISTINCT month, kind, asn, ckey FROM net
)
SELECT s.month,
       s.asn,
       CASE WHEN s.ckey = '' THEN NULL ELSE s.ckey END AS country,
       CASE WHEN s.kind = 'network_in' THEN 'in' ELSE 'out' END AS direction,
       p.n AS samples,
       COALESCE(SUM(r.bytes), 0) AS bytes,
       COALESCE(MAX(CASE WHEN r.rn = p.rank95 - (p.n - r.m) THEN r.bps END), 0) * 8e0 / 1e6 AS p95_mbps,
       COALESCE(MAX(r.bps), 0) * 8e0 / 1e6 AS max_mbps
FROM series s
JOIN params p ON s.month = p.month
LEFT JOIN ranked r ON r.month = s.month AND r.kind = s.kind AND r.asn = s.asn AND r.ckey = s.ckey
GROUP BY s.month, s.asn, s.ckey, s.kind, p.n
ORDER BY s.month, s.asn, country, direction
