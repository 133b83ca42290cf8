-- Local traffic per day and site: how much of the traffic was local (both ends in the
-- zone), and how much of that local traffic hairpinned (left the zone and came back).
-- `day` is the `date` partition: the UTC day of each result's interval (rotate by 1d or
-- less so that no result spans midnight). Merges written into the dataset are left out.
-- Runs as is on DuckDB and Spark SQL over the views described in README ("Scale-out").
SELECT
    date AS day,
    site,
    SUM(ip_bytes) AS ip_bytes,
    SUM(local_bytes) AS local_bytes,
    SUM(hairpin_bytes) AS hairpin_bytes,
    CASE WHEN SUM(ip_bytes) > 0
         THEN CAST(SUM(local_bytes) AS DOUBLE) / CAST(SUM(ip_bytes) AS DOUBLE) END AS local_share_of_traffic,
    CASE WHEN SUM(local_bytes) > 0
         THEN CAST(SUM(hairpin_bytes) AS DOUBLE) / CAST(SUM(local_bytes) AS DOUBLE) ELSE 0 END AS hairpin_share_of_local
FROM results
WHERE merged_results IS NULL AND hairpin_home IS NOT NULL
GROUP BY date, site
ORDER BY day, site
