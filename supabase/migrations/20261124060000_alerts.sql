-- Alerts: rules (written in the metrics query language), alerts with their lifecycle, every
-- event of each alert, silences, maintenance windows, and incidents that group alerts.
--
-- Concurrency: at most one open alert per fingerprint (a partial unique index), and every
-- state change is a conditional update on the state it expects, so two evaluators running at
-- once can never both open, fire, notify or escalate the same alert: one update wins, the
-- other changes nothing and learns so.

create table if not exists alert_rules (
    name       text        primary key,
    spec       jsonb       not null,                  -- an AlertRule
    enabled    boolean     not null default true,
    source     text        not null default 'api',    -- api or file
    created_by text        not null default 'api',
    updated_at timestamptz not null default now()
);
alter table alert_rules enable row level security;

create table if not exists alerts (
    id               uuid        primary key default gen_random_uuid(),
    fingerprint      text        not null,
    rule             text        not null,
    severity         text        not null,
    labels           jsonb       not null default '{}'::jsonb,
    group_key        text        not null,
    state            text        not null,           -- pending, firing, acknowledged, resolved
    fired            boolean     not null default false,
    summary          text,
    value            double precision,
    onset_at         timestamptz,                     -- the first bad sample
    pending_since    timestamptz not null,
    firing_since     timestamptz,                     -- detected
    last_true_at     timestamptz,
    last_notified_at timestamptz,
    notifications    integer     not null default 0,
    escalation_level integer     not null default 0,
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    resolved_at      timestamptz,
    resolved_by      text,
    resolution_note  text,
    false_positive   boolean     not null default false,
    actions          integer     not null default 0,  -- remediation actions taken
    auto_actions     integer     not null default 0,  -- of which by the agent
    incident_id      uuid,
    updated_at       timestamptz not null default now()
);
create unique index if not exists alerts_open_fingerprint_idx on alerts (fingerprint)
    where state <> 'resolved';
create index if not exists alerts_state_idx on alerts (state, severity);
create index if not exists alerts_pending_since_idx on alerts (pending_since desc);
alter table alerts enable row level security;

create table if not exists alert_events (
    id       bigint generated always as identity primary key,
    alert_id uuid        not null,
    at       timestamptz not null default now(),
    kind     text        not null,   -- pending, firing, acknowledged, resolved, notified, reminded,
                                     -- escalated, silenced, inhibited, action, cleared
    actor    text        not null default 'agent',
    detail   jsonb       not null default '{}'::jsonb
);
create index if not exists alert_events_alert_idx on alert_events (alert_id, id);
alter table alert_events enable row level security;

create table if not exists silences (
    id         uuid        primary key default gen_random_uuid(),
    matchers   jsonb       not null,                  -- [{label, op, value}]
    starts_at  timestamptz not null,
    ends_at    timestamptz not null,
    created_by text        not null,
    comment    text        not null,
    created_at timestamptz not null default now(),
    check (ends_at > starts_at)
);
alter table silences enable row level security;

create table if not exists maintenance_windows (
    id               uuid        primary key default gen_random_uuid(),
    name             text        not null,
    matchers         jsonb       not null default '[]'::jsonb,
    starts_at        timestamptz,                     -- one-off
    ends_at          timestamptz,
    cron             text,                            -- recurring: when each window opens (UTC)
    duration_seconds integer,                         -- and how long it stays open
    created_by       text        not null,
    comment          text,
    created_at       timestamptz not null default now()
);
alter table maintenance_windows enable row level security;

create table if not exists incidents (
    id              uuid        primary key default gen_random_uuid(),
    group_key       text        not null,
    state           text        not null default 'open',  -- open, resolved
    title           text        not null,
    severity        text        not null,
    onset_at        timestamptz,
    detected_at     timestamptz,
    notified_at     timestamptz,
    acknowledged_at timestamptz,
    mitigated_at    timestamptz,
    resolved_at     timestamptz,
    timeline        jsonb       not null default '[]'::jsonb,
    created_at      timestamptz not null default now()
);
create unique index if not exists incidents_open_key_idx on incidents (group_key) where state = 'open';
alter table incidents enable row level security;


create or replace function ops_alert_rule_upsert(p_name text, p_spec jsonb, p_source text,
                                                 p_actor text)
returns jsonb
language sql as $$
    insert into alert_rules (name, spec, source, created_by) values (p_name, p_spec, p_source, p_actor)
    on conflict (name) do update set spec = excluded.spec, source = excluded.source,
        updated_at = now()
    returning to_jsonb(alert_rules.*)
$$;


create or replace function ops_alert_rule_set_enabled(p_name text, p_enabled boolean) returns jsonb
language sql as $$
    update alert_rules set enabled = p_enabled, updated_at = now() where name = p_name
    returning to_jsonb(alert_rules.*)
$$;


create or replace function ops_alert_rule_delete(p_name text) returns jsonb
language sql as $$
    with del as (delete from alert_rules where name = p_name returning 1)
    select jsonb_build_object('deleted', (select count(*) from del))
$$;


create or replace function ops_alert_rule_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(r) order by r.name), '[]'::jsonb) from alert_rules r
$$;


-- Open alerts (not resolved), optionally of one rule.
create or replace function ops_alert_open_list(p_rule text default null) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(a) order by a.pending_since), '[]'::jsonb)
    from alerts a where a.state <> 'resolved' and (p_rule is null or a.rule = p_rule)
$$;


-- Open an alert unless one is open for the fingerprint already; null when someone else won.
create or replace function ops_alert_open(p_alert jsonb) returns jsonb
language plpgsql as $$
declare
    v_row alerts;
begin
    insert into alerts (fingerprint, rule, severity, labels, group_key, state, fired, summary, value,
                        onset_at, pending_since, firing_since, last_true_at)
    values (p_alert->>'fingerprint', p_alert->>'rule', p_alert->>'severity',
            coalesce(p_alert->'labels', '{}'::jsonb), p_alert->>'group_key', p_alert->>'state',
            p_alert->>'state' = 'firing', p_alert->>'summary', (p_alert->>'value')::double precision,
            (p_alert->>'onset_at')::timestamptz, (p_alert->>'at')::timestamptz,
            case when p_alert->>'state' = 'firing' then (p_alert->>'at')::timestamptz end,
            (p_alert->>'at')::timestamptz)
    on conflict (fingerprint) where state <> 'resolved' do nothing
    returning * into v_row;
    if v_row.id is null then
        return null;
    end if;
    insert into alert_events (alert_id, at, kind, detail)
    values (v_row.id, v_row.pending_since, 'pending',
            jsonb_build_object('value', v_row.value, 'summary', v_row.summary));
    if v_row.state = 'firing' then
        insert into alert_events (alert_id, at, kind, detail)
        values (v_row.id, v_row.pending_since, 'firing', jsonb_build_object('value', v_row.value));
    end if;
    return to_jsonb(v_row);
end
$$;


-- Move an alert from p_from to p_to (and set p_fields), only if it is still in p_from.
-- p_fields may set: value, summary, last_true_at, acknowledged_by, resolved_by, resolution_note,
-- false_positive. Returns the alert after, or null when it was not in p_from any more.
create or replace function ops_alert_transition(p_id uuid, p_from text, p_to text, p_at timestamptz,
                                                p_actor text, p_fields jsonb default '{}')
returns jsonb
language plpgsql as $$
declare
    v_row alerts;
begin
    update alerts a set
        state = p_to,
        fired = a.fired or p_to = 'firing',
        firing_since = case when p_to = 'firing' and a.firing_since is null then p_at else a.firing_since end,
        acknowledged_at = case when p_to = 'acknowledged' then p_at else a.acknowledged_at end,
        acknowledged_by = case when p_to = 'acknowledged' then p_actor else a.acknowledged_by end,
        resolved_at = case when p_to = 'resolved' then p_at else a.resolved_at end,
        resolved_by = case when p_to = 'resolved' then p_actor else a.resolved_by end,
        resolution_note = coalesce(p_fields->>'note', a.resolution_note),
        false_positive = a.false_positive or coalesce((p_fields->>'false_positive')::boolean, false),
        value = coalesce((p_fields->>'value')::double precision, a.value),
        last_true_at = coalesce((p_fields->>'last_true_at')::timestamptz, a.last_true_at),
        updated_at = now()
    where a.id = p_id and a.state = p_from
    returning * into v_row;
    if v_row.id is null then
        return null;
    end if;
    insert into alert_events (alert_id, at, kind, actor, detail)
    values (p_id, p_at, case when p_to = 'resolved' and not v_row.fired then 'cleared' else p_to end,
            p_actor, p_fields);
    return to_jsonb(v_row);
end
$$;


-- Record that the condition still holds (no state change).
create or replace function ops_alert_touch(p_id uuid, p_at timestamptz, p_value double precision)
returns jsonb
language sql as $$
    update alerts set last_true_at = p_at, value = coalesce(p_value, value), updated_at = now()
    where id = p_id and state <> 'resolved'
    returning to_jsonb(alerts.*)
$$;


-- Claim the right to send notification p_kind for an alert: succeeds once per
-- (alert, previous notification time), so two evaluators cannot both remind or escalate.
create or replace function ops_alert_claim_notification(p_id uuid, p_previous timestamptz,
                                                        p_at timestamptz, p_kind text,
                                                        p_escalation_level integer default null,
                                                        p_detail jsonb default '{}')
returns jsonb
language plpgsql as $$
declare
    v_row alerts;
begin
    update alerts a set
        last_notified_at = p_at,
        notifications = a.notifications + 1,
        escalation_level = coalesce(p_escalation_level, a.escalation_level),
        updated_at = now()
    where a.id = p_id
      and a.last_notified_at is not distinct from p_previous
      and (p_escalation_level is null or a.escalation_level = p_escalation_level - 1)
    returning * into v_row;
    if v_row.id is null then
        return null;
    end if;
    insert into alert_events (alert_id, at, kind, detail) values (p_id, p_at, p_kind, p_detail);
    return to_jsonb(v_row);
end
$$;


create or replace function ops_alert_event_add(p_id uuid, p_at timestamptz, p_kind text,
                                               p_actor text, p_detail jsonb default '{}')
returns jsonb
language plpgsql as $$
begin
    insert into alert_events (alert_id, at, kind, actor, detail) values (p_id, p_at, p_kind, p_actor, p_detail);
    if p_kind = 'action' then
        update alerts set actions = actions + 1,
                          auto_actions = auto_actions + case when p_actor = 'agent' then 1 else 0 end
        where id = p_id;
    end if;
    return jsonb_build_object('ok', true);
end
$$;


create or replace function ops_alert_get(p_id uuid) returns jsonb
language sql stable as $$
    select to_jsonb(a) || jsonb_build_object('events', coalesce((
        select jsonb_agg(to_jsonb(e) order by e.id) from alert_events e where e.alert_id = a.id),
        '[]'::jsonb))
    from alerts a where a.id = p_id
$$;


-- Alert history, newest first, keyset by pending_since.
create or replace function ops_alert_list(
    p_states text[] default null,
    p_severity text default null,
    p_rule text default null,
    p_since timestamptz default null,
    p_before timestamptz default null,
    p_fired_only boolean default true,
    p_limit integer default 100
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(a) order by a.pending_since desc), '[]'::jsonb)
    from (
        select * from alerts
        where (p_states is null or state = any(p_states))
          and (p_severity is null or severity = p_severity)
          and (p_rule is null or rule = p_rule)
          and (p_since is null or pending_since >= p_since)
          and (p_before is null or pending_since < p_before)
          and (not p_fired_only or fired or state <> 'resolved')
        order by pending_since desc
        limit least(greatest(p_limit, 1), 1000)
    ) a
$$;


create or replace function ops_silence_create(p_matchers jsonb, p_starts timestamptz,
                                              p_ends timestamptz, p_actor text, p_comment text)
returns jsonb
language sql as $$
    insert into silences (matchers, starts_at, ends_at, created_by, comment)
    values (p_matchers, p_starts, p_ends, p_actor, p_comment)
    returning to_jsonb(silences.*)
$$;


create or replace function ops_silence_list(p_active_at timestamptz default null) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(s) order by s.starts_at desc), '[]'::jsonb)
    from silences s
    where p_active_at is null or (s.starts_at <= p_active_at and s.ends_at > p_active_at)
$$;


-- Expiring a silence ends it now (it stays in the list, for the record).
create or replace function ops_silence_expire(p_id uuid) returns jsonb
language sql as $$
    update silences set ends_at = greatest(starts_at + interval '1 millisecond', now())
    where id = p_id and ends_at > now()
    returning to_jsonb(silences.*)
$$;


create or replace function ops_maintenance_create(p_window jsonb, p_actor text) returns jsonb
language sql as $$
    insert into maintenance_windows (name, matchers, starts_at, ends_at, cron, duration_seconds,
                                     created_by, comment)
    values (p_window->>'name', coalesce(p_window->'matchers', '[]'::jsonb),
            (p_window->>'starts_at')::timestamptz, (p_window->>'ends_at')::timestamptz,
            p_window->>'cron', (p_window->>'duration_seconds')::integer, p_actor,
            p_window->>'comment')
    returning to_jsonb(maintenance_windows.*)
$$;


create or replace function ops_maintenance_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at desc), '[]'::jsonb)
    from maintenance_windows m
$$;


create or replace function ops_maintenance_delete(p_id uuid) returns jsonb
language sql as $$
    with del as (delete from maintenance_windows where id = p_id returning 1)
    select jsonb_build_object('deleted', (select count(*) from del))
$$;


-- Attach a firing alert to the open incident of its group (opening one when there is none).
create or replace function ops_incident_attach(p_alert_id uuid, p_key text, p_title text,
                                               p_severity text, p_onset timestamptz,
                                               p_detected timestamptz)
returns jsonb
language plpgsql as $$
declare
    v_incident incidents;
begin
    insert into incidents (group_key, title, severity, onset_at, detected_at, timeline)
    values (p_key, p_title, p_severity, p_onset, p_detected,
            jsonb_build_array(jsonb_build_object('at', p_detected, 'kind', 'detected',
                                                 'alert_id', p_alert_id, 'title', p_title)))
    on conflict (group_key) where state = 'open' do nothing
    returning * into v_incident;
    if v_incident.id is null then
        update incidents set
            onset_at = least(onset_at, p_onset),
            severity = case when array_position(array['low','medium','high','critical'], p_severity)
                              > array_position(array['low','medium','high','critical'], severity)
                            then p_severity else severity end,
            timeline = timeline || jsonb_build_array(jsonb_build_object(
                'at', p_detected, 'kind', 'alert_joined', 'alert_id', p_alert_id, 'title', p_title))
        where group_key = p_key and state = 'open'
        returning * into v_incident;
    end if;
    update alerts set incident_id = v_incident.id where id = p_alert_id;
    return to_jsonb(v_incident);
end
$$;


-- Record a milestone on an incident: notified, acknowledged, mitigated (the first time each),
-- action (always); resolved when none of its alerts is open any more.
create or replace function ops_incident_event(p_id uuid, p_kind text, p_at timestamptz,
                                              p_actor text, p_detail jsonb default '{}')
returns jsonb
language plpgsql as $$
declare
    v_incident incidents;
begin
    if p_kind = 'resolved' and exists (
        select 1 from alerts where incident_id = p_id and state <> 'resolved'
    ) then
        select * into v_incident from incidents where id = p_id;
        return to_jsonb(v_incident);
    end if;
    update incidents set
        notified_at = case when p_kind = 'notified' then coalesce(notified_at, p_at) else notified_at end,
        acknowledged_at = case when p_kind = 'acknowledged' then coalesce(acknowledged_at, p_at) else acknowledged_at end,
        mitigated_at = case when p_kind in ('mitigated', 'action') then coalesce(mitigated_at, p_at) else mitigated_at end,
        resolved_at = case when p_kind = 'resolved' then p_at else resolved_at end,
        state = case when p_kind = 'resolved' then 'resolved' else state end,
        timeline = timeline || jsonb_build_array(
            jsonb_build_object('at', p_at, 'kind', p_kind, 'actor', p_actor) || p_detail)
    where id = p_id and (state = 'open' or p_kind <> 'resolved')
    returning * into v_incident;
    return to_jsonb(v_incident);
end
$$;


create or replace function ops_incident_list(p_state text default null, p_limit integer default 50)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(i) order by i.created_at desc), '[]'::jsonb)
    from (select * from incidents where p_state is null or state = p_state
          order by created_at desc limit least(greatest(p_limit, 1), 500)) i
$$;


create or replace function ops_incident_get(p_id uuid) returns jsonb
language sql stable as $$
    select to_jsonb(i) || jsonb_build_object('alerts', coalesce((
        select jsonb_agg(to_jsonb(a) order by a.pending_since) from alerts a where a.incident_id = i.id),
        '[]'::jsonb))
    from incidents i where i.id = p_id
$$;


-- The alerts and incidents of a window, for the reliability figures (computed in Python).
create or replace function ops_alert_kpi_data(p_since timestamptz) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'alerts', coalesce((select jsonb_agg(jsonb_build_object(
            'id', a.id, 'rule', a.rule, 'severity', a.severity, 'state', a.state, 'fired', a.fired,
            'onset_at', a.onset_at, 'pending_since', a.pending_since, 'firing_since', a.firing_since,
            'acknowledged_at', a.acknowledged_at, 'resolved_at', a.resolved_at,
            'resolved_by', a.resolved_by, 'false_positive', a.false_positive,
            'actions', a.actions, 'auto_actions', a.auto_actions,
            'for_seconds', coalesce((r.spec->>'for_seconds')::integer, 0)))
            from alerts a left join alert_rules r on r.name = a.rule
            where a.pending_since >= p_since and a.fired), '[]'::jsonb),
        'incidents', coalesce((select jsonb_agg(to_jsonb(i)) from incidents i
            where i.created_at >= p_since), '[]'::jsonb))
$$;


select ops_lock_down();
