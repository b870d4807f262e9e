-- Key holders and audit actors (docs/console.md, "Roles").
--
-- A key's holder is the member whose role bounds it: the member who made
-- it in the console, or, for a key made through the API by another key,
-- that key's holder.  NULL: no member holds it (made with uptime-admin,
-- or by such a key), and it acts as an owner.  No foreign key on
-- purpose: created_by_member_id is set to NULL when its member is
-- removed, which would turn a removed member's key into an owner's; this
-- column keeps the id, and a key whose holder is not a member answers
-- 401 (removing a member also revokes the keys it holds).
ALTER TABLE api_keys ADD COLUMN holder_member_id TEXT;

-- Keys made before this column: the first member up the chain of keys
-- that made them.
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

-- The member who acted: the signed-in member of a console request, or
-- the holder of the key that made the request.  No foreign key: the
-- trail outlives the member.
ALTER TABLE audit_events ADD COLUMN member_id TEXT;
