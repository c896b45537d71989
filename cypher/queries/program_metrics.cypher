// The introduction funnel per (segment, region) for introductions proposed in [$from, $to).
// Reads only the Introduction node's own non-identifying properties, so erased customers' tombstones still count.
MATCH (i:Introduction)
WHERE ($from IS NULL OR i.created_at >= $from) AND ($to IS NULL OR i.created_at < $to)
  AND ($segment IS NULL OR i.segment = $segment) AND ($region IS NULL OR i.region = $region)
RETURN i.segment AS segment, i.region AS region,
       count(*) AS proposed,
       count(i.approved_at) AS approved,
       count(i.offered_at) AS offered,
       count(i.accepted_at) AS accepted,
       count(i.met_at) AS met,
       count(CASE WHEN i.outcome = 'deal' THEN 1 END) AS deals,
       count(CASE WHEN i.state = 'rejected' THEN 1 END) AS rejected,
       count(CASE WHEN i.state = 'declined' THEN 1 END) AS declined,
       count(CASE WHEN i.state = 'withdrawn' THEN 1 END) AS withdrawn,
       sum(CASE WHEN i.outcome = 'deal' THEN coalesce(i.value, 0.0) ELSE 0.0 END) AS deal_value
ORDER BY segment, region
