// Best-rated providers per category (top 5): average rating of the referrals they received, deals, capability quality.
MATCH (p:Customer)-[:CAN_PROVIDE]->(cap:Capability)
WITH cap.category AS category, p, max(cap.quality) AS quality
CALL (p) {
  OPTIONAL MATCH (:Customer)-[r:REFERRED]->(p)
  RETURN avg(r.rating) AS avg_rating, count(r.rating) AS ratings,
         count(CASE WHEN r.outcome = 'deal' THEN 1 END) AS deals, count(r) AS referrals
}
WITH category, p, quality, avg_rating, ratings, deals, referrals
ORDER BY category, coalesce(avg_rating, 0) DESC, deals DESC, quality DESC, p.customer_id
WITH category, collect({provider_id: p.customer_id, provider: p.name, region: p.region, quality: quality,
                        avg_rating: avg_rating, ratings: ratings, deals: deals, referrals: referrals})[..5] AS best
UNWIND range(0, size(best) - 1) AS i
RETURN category, i + 1 AS rank, best[i].provider_id AS provider_id, best[i].provider AS provider,
       best[i].region AS region, round(best[i].avg_rating, 2) AS avg_rating, best[i].ratings AS ratings,
       best[i].deals AS deals, best[i].referrals AS referrals, best[i].quality AS quality
ORDER BY category, rank
