-- The staged complaints the complaint-text stage reads, in a fixed order so that a run is
-- reproducible. consumer_name and consumer_phone are read only to hash them (complainant_key).
select
    complaints.complaint_id,
    complaints.platform_id,
    complaints.merchant_id,
    complaints.shop_name,
    complaints.category,
    complaints.description,
    complaints.consumer_name,
    complaints.consumer_phone
from stg_complaints as complaints
order by complaints.complaint_id
