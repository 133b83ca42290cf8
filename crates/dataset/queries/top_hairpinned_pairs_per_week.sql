-- The ten AS pairs with the most hairpinned bytes per week (weeks start on Monday, from the
-- `date` partition), all sites added up (traffic seen at two sites counts at each).
-- `share_of_pair_local` is the part of the pair's local bytes that hairpinned; the local
-- bytes come from `local_pairs`, which has a row wherever the pair had local traffic
-- (`hairpin_pairs` has rows only where it hairpinned).
WITH hp AS (
    SELECT
        CAST(date_trunc('week', date) AS DATE) AS week,
        src_asn, src_country, dst_asn, dst_country,
        SUM(packets) AS packets,
        SUM(bytes) AS bytes,
        SUM(observations) AS observations
    FROM hairpin_pairs
    WHERE result_id IN (SELECT result_id FROM results WHERE merged_results IS NULL)
    GROUP BY CAST(date_trunc('week', date) AS DATE), src_asn, src_country, dst_asn, dst_country
),
lp AS (
    SELECT
        CAST(date_trunc('week', date) AS DATE) AS week,
        src_asn, src_country, dst_asn, dst_country,
        SUM(bytes) AS local_bytes
    FROM local_pairs
    WHERE result_id IN (SELECT result_id FROM results WHERE merged_results IS NULL)
    GROUP BY CAST(date_trunc('week', date) AS DATE), src_asn, src_country, dst_asn, dst_country
),
weekly AS (
    SELECT hp.*, lp.local_bytes
    FROM hp LEFT JOIN lp
      ON hp.week = lp.week AND hp.src_asn = lp.src_asn AND hp.dst_asn = lp.dst_asn
     AND hp.src_country IS NOT DISTINCT FROM lp.src_country
     AND hp.dst_country IS NOT DISTINCT FROM lp.dst_country
),
ranked AS (
    SELECT weekly.*,
           ROW_NUMBER() OVER (PARTITION BY week
                              ORDER BY bytes DESC, src_asn, dst_asn,
                                       src_country NULLS FIRST, dst_country NULLS FIRST) AS pair_rank
    FROM weekly
)
SELECT week, pair_rank, src_asn, src_country, dst_asn, dst_country, packets, bytes, observations,
       local_bytes,
       CASE WHEN local_bytes > 0 THEN CAST(bytes AS DOUBLE) / CAST(local_bytes AS DOUBLE) END AS share_of_pair_local
FROM ranked
WHERE pair_rank <= 10
ORDER BY week, pair_rank
