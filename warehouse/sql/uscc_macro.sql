-- is_valid_uscc(code, alphabet, weights): the GB 32100-2015 check digit, vectorised.
-- The alphabet and weights are passed in (bound from warehouse/credit_code.py) so the
-- rule is written once in Python and this macro only applies it.
create or replace temp macro is_valid_uscc(code, alphabet, weights) as
coalesce(
    length(code) = 18
    and length(regexp_replace(code, '[' || alphabet || ']', '', 'g')) = 0
    and substr(
        alphabet,
        cast((31 - list_sum(
            list_transform(range(1, 18), lambda i: (strpos(alphabet, substr(code, i, 1)) - 1) * weights[i])
        ) % 31) % 31 + 1 as bigint),
        1
    ) = substr(code, 18, 1),
    false
)
