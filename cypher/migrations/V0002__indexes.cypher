// Indexes for the filters the API and the suggester run on every request.
CREATE INDEX customer_eligibility IF NOT EXISTS FOR (c:Customer) ON (c.consent, c.vetted, c.risk_rating);
CREATE INDEX customer_manager IF NOT EXISTS FOR (c:Customer) ON (c.relationship_manager);
CREATE INDEX customer_segment IF NOT EXISTS FOR (c:Customer) ON (c.segment);
CREATE INDEX need_status IF NOT EXISTS FOR (n:Need) ON (n.status);
CREATE INDEX need_category IF NOT EXISTS FOR (n:Need) ON (n.category);
CREATE INDEX capability_category IF NOT EXISTS FOR (c:Capability) ON (c.category);
CREATE INDEX introduction_state IF NOT EXISTS FOR (i:Introduction) ON (i.state);
CREATE INDEX referral_id IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.referral_id);
CREATE INDEX suggestion_version IF NOT EXISTS FOR ()-[s:SUGGESTED_INTRO]-() ON (s.model_version);
