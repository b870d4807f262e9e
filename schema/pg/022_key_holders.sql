-- Key holders and audit actors on PostgreSQL: schema/022_key_holders.sql
-- says why, statement for statement.
ALTER TABLE api_keys ADD COLUMN holder_member_id TEXT;

UPDATE api_keys SET holder_member_id = (
	WITH RECURSIVE up(id, by_key, by_member) AS (
		SELECT k.id, k.created_by_key_id, k.created_by_member_id
		FROM api_keys k WHERE k.id = api_keys.id
		UNION ALL
		SELECT p.id, p.created_by_key_id, p.created_by_member_id
		FROM api_keys p JOIN up ON p.id = up.by_key
		WHERE up.by_member IS NULL)
	SELECT by_member FROM up WHERE by_member IS NOT NULL);

CREATE INDEX api_keys_holder ON api_keys(holder_member_id);

ALTER TABLE audit_events ADD COLUMN member_id TEXT;
