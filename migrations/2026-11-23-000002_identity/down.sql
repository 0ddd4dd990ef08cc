DROP TABLE sign_in_events;
DROP TABLE rate_limits;
DROP TABLE sessions;
DROP TABLE sign_in_links;
DROP TABLE one_time_codes;
