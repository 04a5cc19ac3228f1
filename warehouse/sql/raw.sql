-- Every row ever delivered, as text: staged, superseded by a later delivery, or quarantined.
-- A view, not a copy: the values live once, typed in stg_/superseded_, as text in quarantine_.
create or replace view {view} as
{staged}
union all by name
{superseded}
union all by name
{quarantined}
