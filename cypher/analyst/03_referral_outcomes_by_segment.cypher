// Referral outcomes by the needing customer's segment: counts per outcome, deal rate of decided referrals, deal value.
MATCH (a:Customer)-[r:REFERRED]->(:Customer)
WITH a.segment AS segment,
     count(r) AS referrals,
     count(CASE WHEN r.outcome = 'deal' THEN 1 END) AS deals,
     count(CASE WHEN r.outcome = 'no_deal' THEN 1 END) AS no_deal,
     count(CASE WHEN r.outcome = 'declined' THEN 1 END) AS declined,
     count(CASE WHEN r.outcome = 'pending' THEN 1 END) AS pending,
     sum(CASE WHEN r.outcome = 'deal' THEN coalesce(r.value, 0) ELSE 0 END) AS deal_value
RETURN segment, referrals, deals, no_deal, declined, pending,
       CASE WHEN referrals - pending > 0 THEN round(toFloat(deals) / (referrals - pending), 3) END AS deal_rate,
       deal_value
ORDER BY segment
