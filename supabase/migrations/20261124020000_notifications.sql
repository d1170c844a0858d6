-- Notifications: one row per notification the agent tried to send (every attempt inside it),
-- and the endpoints it stopped using because they told it to (410 Gone, archived channel, ...).

create table if not exists notifications (
    id            bigint generated always as identity primary key,
    created_at    timestamptz not null default now(),
    channel       text        not null,                 -- email (Mailtrap), smtp, slack, webhook
    destination   text        not null,                 -- masked: no token, no secret path
    status        text        not null,                 -- delivered, failed, rate_limited, deduplicated, disabled
    attempts      integer     not null default 0,
    error         text,
    permanent     boolean     not null default false,   -- retrying will not help; someone must fix it
    message_id    text,                                 -- the provider's id, when it gave one
    latency_ms    double precision,
    dedup_key     text,
    alert_id      text,                                 -- the alert (or other cause) it was sent for
    kind          text,                                 -- template kind: alert_firing, deployment_failed, ...
    fallback_of   text,                                 -- the channel this one stood in for
    attempt_log   jsonb       not null default '[]'::jsonb, -- [{at, ok, status, error, latency_ms}]
    details       jsonb       not null default '{}'::jsonb
);
create index if not exists notifications_alert_idx on notifications (alert_id, id desc)
    where alert_id is not null;
create index if not exists notifications_created_idx on notifications (created_at desc, id desc);
create index if not exists notifications_status_idx on notifications (channel, status, id desc);
alter table notifications enable row level security;

create table if not exists notification_endpoints (
    endpoint_key text        primary key,               -- sha256 of channel and destination
    channel      text        not null,
    destination  text        not null,                  -- masked
    disabled_at  timestamptz,
    reason       text,
    updated_at   timestamptz not null default now()
);
alter table notification_endpoints enable row level security;


-- p_rows: JSON array of notification rows (without id/created_at). Returns their ids.
create or replace function ops_notification_record(p_rows jsonb) returns jsonb
language sql as $$
    with ins as (
        insert into notifications (channel, destination, status, attempts, error, permanent,
                                   message_id, latency_ms, dedup_key, alert_id, kind,
                                   fallback_of, attempt_log, details)
        select r.channel, r.destination, r.status, coalesce(r.attempts, 0), r.error,
               coalesce(r.permanent, false), r.message_id, r.latency_ms, r.dedup_key, r.alert_id,
               r.kind, r.fallback_of, coalesce(r.attempt_log, '[]'::jsonb),
               coalesce(r.details, '{}'::jsonb)
        from jsonb_to_recordset(p_rows) as r(
            channel text, destination text, status text, attempts integer, error text,
            permanent boolean, message_id text, latency_ms double precision, dedup_key text,
            alert_id text, kind text, fallback_of text, attempt_log jsonb, details jsonb)
        returning id
    )
    select jsonb_build_object('ids', coalesce(jsonb_agg(id order by id), '[]'::jsonb)) from ins
$$;


create or replace function ops_notification_list(
    p_alert_id text default null,
    p_channel text default null,
    p_status text default null,
    p_before_id bigint default null,
    p_limit integer default 100
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(n) order by n.id desc), '[]'::jsonb)
    from (
        select * from notifications
        where (p_alert_id is null or alert_id = p_alert_id)
          and (p_channel is null or channel = p_channel)
          and (p_status is null or status = p_status)
          and (p_before_id is null or id < p_before_id)
        order by id desc
        limit least(greatest(p_limit, 1), 1000)
    ) n
$$;


-- Delivery outcome counts per channel since p_since (for dashboards and the agent's metrics).
create or replace function ops_notification_stats(p_since timestamptz) returns jsonb
language sql stable as $$
    select coalesce(jsonb_object_agg(channel, counts), '{}'::jsonb)
    from (
        select channel, jsonb_object_agg(status, n) as counts
        from (select channel, status, count(*) as n from notifications
              where created_at >= p_since group by channel, status) s
        group by channel
    ) c
$$;


create or replace function ops_notification_endpoint_disable(
    p_key text, p_channel text, p_destination text, p_reason text
) returns jsonb
language sql as $$
    insert into notification_endpoints (endpoint_key, channel, destination, disabled_at, reason)
    values (p_key, p_channel, p_destination, now(), p_reason)
    on conflict (endpoint_key) do update
        set disabled_at = coalesce(notification_endpoints.disabled_at, now()),
            reason = excluded.reason, updated_at = now()
    returning to_jsonb(notification_endpoints.*)
$$;


create or replace function ops_notification_endpoint_enable(p_key text) returns jsonb
language sql as $$
    update notification_endpoints set disabled_at = null, reason = null, updated_at = now()
    where endpoint_key = p_key and disabled_at is not null
    returning to_jsonb(notification_endpoints.*)
$$;


create or replace function ops_notification_endpoint_list(p_disabled_only boolean default true)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(e) order by e.updated_at desc), '[]'::jsonb)
    from notification_endpoints e
    where not p_disabled_only or e.disabled_at is not null
$$;


create or replace function ops_notification_endpoint_get(p_key text) returns jsonb
language sql stable as $$
    select to_jsonb(e) from notification_endpoints e where e.endpoint_key = p_key
$$;


select ops_lock_down();
