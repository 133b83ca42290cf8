-- The foreign networks local traffic hairpins through: hairpinned bytes per via network
-- (the neighbour of the link the packets left by), all sites, intervals and AS pairs
-- added up, ranked; `share_of_hairpin` is its part of all hairpinned bytes.
WITH v AS (
    SELECT via_asn, via_country,
           MAX(via_name) AS via_name,
           COUNT(DISTINCT site) AS sites,
           SUM(packets) AS packets,
           SUM(bytes) AS bytes
    FROM via
    WHERE result_id IN (SELECT result_id FROM results WHERE merged_results IS NULL)
    GROUP BY via_asn, via_country
),
total AS (
    SELECT SUM(hairpin_bytes) AS hairpin_bytes FROM results WHERE merged_results IS NULL
)
SELECT ROW_NUMBER() OVER (ORDER BY v.bytes DESC, v.via_asn, v.via_country NULLS FIRST) AS via_rank,
       v.via_asn, v.via_country, v.via_name, v.sites, v.packets, v.bytes,
       CAST(v.bytes AS DOUBLE) / CAST(total.hairpin_bytes AS DOUBLE) AS share_of_hairpin
FROM v CROSS JOIN total
ORDER BY via_rank
