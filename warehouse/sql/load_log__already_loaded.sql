-- Which of these file hashes were loaded before, by which load and from which file.
select
    log.file_hash,
    min(log.load_id) as load_id,
    min(log.source_file) as source_file
from load_log as log
where list_contains($file_hashes, log.file_hash)
    and log.status = $loaded_status
group by log.file_hash
