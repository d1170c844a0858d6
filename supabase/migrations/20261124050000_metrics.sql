-- Metrics: per-minute request rollups made from drained logs as they are ingested (requests,
-- 4xx, 5xx, and a latency histogram per project, environment, deployment and route), samples
-- pushed by hosts and services, and named custom metrics (query-language expressions).

create table if not exists metric_rollups (
    minute           timestamptz not null,
    project          text        not null default '',
    environment      text        not null default '',
    deployment       text        not null default '',
    route            text        not null default '',
    requests         integer     not null default 0,
    status_4xx       integer     not null default 0,
    status_5xx       integer     not null default 0,
    duration_count   integer     not null default 0,
    duration_sum     double precision not null default 0,
    -- counts per latency bucket, upper bounds in ms: 5 10 25 50 100 250 500 1000 2500 5000 10000 +Inf
    duration_buckets integer[]   not null default '{0,0,0,0,0,0,0,0,0,0,0,0}',
    -- from trace drains: server spans, and those that answered 4xx and 5xx. The durations
    -- above come from spans only (log drains carry none); the request counts from logs when
    -- the minute has any, else from spans (see ops_metric_rollup_series).
    spans            integer     not null default 0,
    span_4xx         integer     not null default 0,
    span_5xx         integer     not null default 0,
    -- from runtime logs pulled through Vercel's API (plans without drains): their request
    -- rows, counted apart so a drain that later covers the same minutes counts nothing twice
    pulled           integer     not null default 0,
    pulled_4xx       integer     not null default 0,
    pulled_5xx       integer     not null default 0,
    primary key (minute, project, environment, deployment, route)
);

-- The span ids a trace drain delivered: a redelivered span is rolled up once.
create table if not exists trace_spans_seen (
    span_id  text        not null,
    trace_id text        not null,
    ts       timestamptz not null,
    primary key (trace_id, span_id)
);
create index if not exists trace_spans_seen_ts_idx on trace_spans_seen (ts);
alter table trace_spans_seen enable row level security;
create index if not exists metric_rollups_project_idx on metric_rollups (project, minute desc);
alter table metric_rollups enable row level security;

create table if not exists metric_samples (
    id     text        primary key,                   -- the sender's sample id: resends are no-ops
    name   text        not null,
    labels jsonb       not null default '{}'::jsonb,
    ts     timestamptz not null,
    value  double precision not null
);
create index if not exists metric_samples_name_ts_idx on metric_samples (name, ts desc);
create index if not exists metric_samples_ts_idx on metric_samples (ts);
alter table metric_samples enable row level security;

create table if not exists metric_definitions (
    name        text        primary key,
    query       text        not null,
    description text,
    created_by  text        not null,
    updated_at  timestamptz not null default now()
);
alter table metric_definitions enable row level security;


create or replace function ops_metric_bucket(p_ms double precision) returns integer
language sql immutable as $$
    select width_bucket(p_ms, array[5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]::double precision[]) + 1
$$;


-- Server spans of one trace drain delivery (p_spans: [{trace_id, span_id, ts, project_id,
-- deployment_id, environment, route, status, duration_ms}]) rolled up per minute: a latency
-- histogram and the span counts by status class. A span already seen is skipped. The project
-- label is the project's name where the deployment history knows it (log drains label by
-- name), else its id; a missing environment comes from the deployment's target.
create or replace function ops_trace_ingest(p_spans jsonb)
returns jsonb
language plpgsql as $$
declare
    v_new      integer;
    v_projects jsonb;
begin
    with s as (
        select * from jsonb_to_recordset(p_spans) as x(
            trace_id text, span_id text, ts timestamptz, project_id text, deployment_id text,
            environment text, route text, status integer, duration_ms double precision)
    ), fresh as (
        insert into trace_spans_seen (trace_id, span_id, ts)
        select distinct on (trace_id, span_id) trace_id, span_id, ts from s
        on conflict do nothing
        returning trace_id, span_id
    ), spans as (
        select date_trunc('minute', s.ts) as minute,
               coalesce(d.project_name, s.project_id, '') as project,
               coalesce(s.environment, d.target, '') as environment,
               coalesce(s.deployment_id, '') as deployment,
               coalesce(s.route, '') as route, s.status, s.duration_ms
        from s join fresh f using (trace_id, span_id)
        left join deployments d on d.id = s.deployment_id
    ), g as (
        select minute, project, environment, deployment, route, count(*) as n,
               count(*) filter (where status between 400 and 499) as s4,
               count(*) filter (where status >= 500) as s5,
               count(duration_ms) as dcount, coalesce(sum(duration_ms), 0) as dsum
        from spans group by 1, 2, 3, 4, 5
    ), h as (
        select minute, project, environment, deployment, route,
               ops_metric_bucket(duration_ms) as bucket, count(*) as n
        from spans where duration_ms is not null group by 1, 2, 3, 4, 5, 6
    ), hb as (
        select g.minute, g.project, g.environment, g.deployment, g.route,
               array_agg(coalesce(h.n, 0)::integer order by i) as buckets
        from g cross join generate_series(1, 12) as i
        left join h on h.minute = g.minute and h.project = g.project
                   and h.environment = g.environment and h.deployment = g.deployment
                   and h.route = g.route and h.bucket = i
        group by g.minute, g.project, g.environment, g.deployment, g.route
    ), up as (
        insert into metric_rollups as m (minute, project, environment, deployment, route, spans,
                                         span_4xx, span_5xx, duration_count, duration_sum,
                                         duration_buckets)
        select g.minute, g.project, g.environment, g.deployment, g.route, g.n, g.s4, g.s5,
               g.dcount, g.dsum, hb.buckets
        from g join hb using (minute, project, environment, deployment, route)
        on conflict (minute, project, environment, deployment, route) do update set
            spans = m.spans + excluded.spans,
            span_4xx = m.span_4xx + excluded.span_4xx,
            span_5xx = m.span_5xx + excluded.span_5xx,
            duration_count = m.duration_count + excluded.duration_count,
            duration_sum = m.duration_sum + excluded.duration_sum,
            duration_buckets = array(select a + b from unnest(m.duration_buckets, excluded.duration_buckets) as u(a, b))
        returning 1
    )
    select coalesce(sum(n), 0)::integer, coalesce(jsonb_agg(distinct project), '[]'::jsonb)
      into v_new, v_projects from g;
    return jsonb_build_object('received', jsonb_array_length(p_spans), 'accepted', v_new,
                              'duplicates', jsonb_array_length(p_spans) - v_new,
                              'projects', v_projects);
end
$$;


-- One drain delivery (p_entries: normalised rows, one per log line; p_templates: new or merged
-- templates [{id, tokens, template, merged_into}]) in one statement: the templates, the entries
-- (one whose id is stored already is skipped, so a redelivery stores nothing and counts nothing
-- twice), each template's line count, and the requests rolled up per minute and label set
-- (project, environment, deployment, route) by status class. p_entries is json, not jsonb: it
-- is read once, and parsing it into jsonb first costs more than the reading.
--
-- The lines of one request share its request id and count as one request, once, even when they
-- arrive in different deliveries: the statement reads log_entries as it stood before the
-- statement, so a request some line of which is stored already was counted then. A request
-- whose proxy status is -1 (a background revalidation) is not counted; one whose function
-- crashed (status -1) is a 5xx. An entry without a status is not a request. Pulled runtime logs
-- (via 'pull') carry no request id: their `request` rows are the requests, counted in the
-- pulled_* columns. A drain supersedes pulling: the pulled copies of the minutes a delivery
-- covers go (their requests stay counted apart, so nothing counts twice).
create or replace function ops_drain_ingest(p_entries json, p_templates jsonb default '[]')
returns jsonb
language plpgsql as $$
declare
    v_inserted integer;
begin
    insert into log_templates (id, tokens, template, merged_into)
    select t.id, t.tokens, t.template, t.merged_into
    from jsonb_to_recordset(p_templates) as t(id text, tokens jsonb, template text, merged_into text)
    on conflict (id) do update
        set merged_into = excluded.merged_into, version = nextval('log_templates_version')
        where log_templates.merged_into is null and excluded.merged_into is not null
          and excluded.merged_into <> log_templates.id;

    with e as materialized (
        select * from json_to_recordset(p_entries) as e(
            id text, ts timestamptz, level text, source text, project_id text,
            project_name text, deployment_id text, environment text, host text, path text,
            route text, status_code integer, request_id text, message text, type text,
            entrypoint text, branch text, region text, trace_id text, method text,
            proxy_status integer, waf_action text, proxy_region text, user_agent text,
            client_ip text, cache text, template_id text, via text)
    ), ins as (
        insert into log_entries (id, ts, level, source, project_id, project_name, deployment_id,
                                 environment, host, path, status_code, request_id, message, type,
                                 entrypoint, branch, region, trace_id, method, proxy_status,
                                 waf_action, proxy_region, user_agent, client_ip, cache,
                                 template_id, via)
        select e.id, e.ts, e.level, e.source, e.project_id, e.project_name, e.deployment_id,
               e.environment, e.host, e.path, e.status_code, e.request_id,
               coalesce(e.message, ''), e.type, e.entrypoint, e.branch, e.region, e.trace_id,
               e.method, e.proxy_status, e.waf_action, e.proxy_region, e.user_agent,
               e.client_ip, e.cache, e.template_id, coalesce(e.via, 'drain')
        from e
        on conflict (id) do nothing
        returning id, template_id, ts
    ), per_template as (
        select template_id, count(*) as n, min(ts) as first_ts, max(ts) as last_ts
        from ins where template_id is not null group by template_id
    ), bump as (
        update log_templates t
        set count = t.count + p.n,
            first_seen = least(coalesce(t.first_seen, p.first_ts), p.first_ts),
            last_seen = greatest(coalesce(t.last_seen, p.last_ts), p.last_ts)
        from per_template p where t.id = p.template_id
        returning 1
    ), superseded as (
        delete from log_entries l
        using (select e.project_id, min(e.ts) as since from e
               where coalesce(e.via, 'drain') = 'drain' and e.project_id is not null
               group by e.project_id) d
        where l.via = 'pull' and l.project_id = d.project_id and l.ts >= d.since
        returning 1
    ), lines as (
        select e.id, coalesce(e.request_id, e.id) as request, e.request_id, e.ts,
               coalesce(e.project_name, e.project_id, '') as project,
               coalesce(e.environment, '') as environment,
               coalesce(e.deployment_id, '') as deployment,
               coalesce(e.route, '') as route, e.proxy_status, e.status_code,
               coalesce(e.via, 'drain') = 'pull' as pulled
        from e join ins using (id)
        where coalesce(e.via, 'drain') <> 'pull' or e.source = 'request'
    ), counted_before as (
        -- log_entries as it stood before this statement: earlier deliveries' lines only
        select distinct s.request_id from log_entries s
        where s.request_id in (select l.request_id from lines l where l.request_id is not null)
    ), req as (
        select date_trunc('minute', min(l.ts)) as minute, max(l.project) as project,
               max(l.environment) as environment, max(l.deployment) as deployment,
               max(l.route) as route,
               case when bool_or(l.status_code = -1) then -1
                    else coalesce(max(l.proxy_status), max(l.status_code)) end as status,
               bool_or(l.status_code = -1) as crashed, bool_or(l.pulled) as pulled
        from lines l
        where not exists (select 1 from counted_before c where c.request_id = l.request_id)
        group by l.request
    ), counted as (
        select * from req
        where status is not null and status <> 0 and (crashed or status <> -1)
    ), g as (
        select minute, project, environment, deployment, route,
               count(*) filter (where not pulled) as requests,
               count(*) filter (where not pulled and status between 400 and 499) as s4,
               count(*) filter (where not pulled and (status >= 500 or status = -1)) as s5,
               count(*) filter (where pulled) as p,
               count(*) filter (where pulled and status between 400 and 499) as p4,
               count(*) filter (where pulled and (status >= 500 or status = -1)) as p5
        from counted group by 1, 2, 3, 4, 5
    ), up as (
        insert into metric_rollups as m (minute, project, environment, deployment, route, requests,
                                         status_4xx, status_5xx, pulled, pulled_4xx, pulled_5xx)
        select minute, project, environment, deployment, route, requests, s4, s5, p, p4, p5
        from g
        on conflict (minute, project, environment, deployment, route) do update set
            requests = m.requests + excluded.requests,
            status_4xx = m.status_4xx + excluded.status_4xx,
            status_5xx = m.status_5xx + excluded.status_5xx,
            pulled = m.pulled + excluded.pulled,
            pulled_4xx = m.pulled_4xx + excluded.pulled_4xx,
            pulled_5xx = m.pulled_5xx + excluded.pulled_5xx
        returning 1
    )
    select count(*)::integer from ins into v_inserted;
    return jsonb_build_object('received', json_array_length(p_entries), 'inserted', v_inserted,
                              'duplicates', json_array_length(p_entries) - v_inserted);
end
$$;


-- Label filters (p_filters: [{label, op, value}] with op one of = != =~ !~) as SQL, against a
-- row's label values given as a jsonb object expression. Values go through quote_literal.
create or replace function ops_metric_filter_sql(p_filters jsonb, p_labels text) returns text
language plpgsql immutable as $$
declare
    f      jsonb;
    v_sql  text := 'true';
    v_expr text;
begin
    for f in select x from jsonb_array_elements(coalesce(p_filters, '[]'::jsonb)) x loop
        v_expr := format('coalesce((%s)->>%L, %L)', p_labels, f->>'label', '');
        v_sql := v_sql || ' and ' || case f->>'op'
            when '=' then format('%s = %L', v_expr, f->>'value')
            when '!=' then format('%s <> %L', v_expr, f->>'value')
            when '=~' then format('%s ~ %L', v_expr, '^(?:' || (f->>'value') || ')$')
            when '!~' then format('%s !~ %L', v_expr, '^(?:' || (f->>'value') || ')$')
            else null end;
        if v_sql is null then
            raise exception 'unknown label operator %', f->>'op' using errcode = '22023';
        end if;
    end loop;
    return v_sql;
end
$$;


-- Request rollups per minute in [p_from, p_to), summed over the label sets that match.
create or replace function ops_metric_rollup_series(p_from timestamptz, p_to timestamptz,
                                                    p_filters jsonb default '[]')
returns jsonb
language plpgsql stable as $$
declare
    v_rows jsonb;
begin
    execute format(
        'select coalesce(jsonb_agg(x order by x.minute), ''[]''::jsonb) from (
            select minute,
                   sum(case when requests > 0 then requests when pulled > 0 then pulled
                            else spans end)::bigint as requests,
                   sum(case when requests > 0 then status_4xx when pulled > 0 then pulled_4xx
                            else span_4xx end)::bigint as status_4xx,
                   sum(case when requests > 0 then status_5xx when pulled > 0 then pulled_5xx
                            else span_5xx end)::bigint as status_5xx,
                   sum(duration_count)::bigint as duration_count,
                   sum(duration_sum) as duration_sum,
                   array(select sum(b)::bigint from unnest(array_agg(duration_buckets)) with ordinality
                         as u(b, i) group by (i - 1) %% 12 order by (i - 1) %% 12) as buckets
            from metric_rollups
            where minute >= %L and minute < %L and %s
            group by minute) x',
        p_from, p_to,
        ops_metric_filter_sql(p_filters, 'jsonb_build_object(''project'', project, ''environment'', environment, ''deployment'', deployment, ''route'', route, ''path'', route)'))
    into v_rows;
    return v_rows;
end
$$;


-- Latency histograms per bucket of p_bucket_seconds in [p_from, p_to), summed over the
-- project's rollups (its name or id): what the log anomaly detector reads for latency, since
-- log lines carry no duration. [{bucket, buckets}].
create or replace function ops_latency_series(p_from timestamptz, p_to timestamptz,
                                              p_project text default null,
                                              p_bucket_seconds integer default 300)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object('bucket', x.bucket, 'buckets', x.buckets)
                              order by x.bucket), '[]'::jsonb)
    from (
        select floor(extract(epoch from minute - p_from) / p_bucket_seconds)::integer as bucket,
               array(select sum(b)::bigint from unnest(array_agg(duration_buckets)) with ordinality
                     as u(b, i) group by (i - 1) % 12 order by (i - 1) % 12) as buckets
        from metric_rollups
        where minute >= p_from and minute < p_to and duration_count > 0
          and (p_project is null or project = p_project)
        group by 1
    ) x
$$;


create or replace function ops_metric_samples_ingest(p_samples jsonb) returns jsonb
language sql as $$
    with ins as (
        insert into metric_samples (id, name, labels, ts, value)
        select s.id, s.name, coalesce(s.labels, '{}'::jsonb), s.ts, s.value
        from jsonb_to_recordset(p_samples) as s(id text, name text, labels jsonb, ts timestamptz,
                                                value double precision)
        on conflict (id) do nothing
        returning 1
    )
    select jsonb_build_object('received', jsonb_array_length(p_samples),
                              'inserted', (select count(*) from ins))
$$;


-- Pushed samples of one metric in [p_from, p_to) whose labels match, oldest first.
create or replace function ops_metric_sample_series(p_name text, p_from timestamptz,
                                                    p_to timestamptz, p_filters jsonb default '[]')
returns jsonb
language plpgsql stable as $$
declare
    v_rows jsonb;
begin
    execute format(
        'select coalesce(jsonb_agg(jsonb_build_array(extract(epoch from ts), value) order by ts), ''[]''::jsonb)
         from metric_samples where name = %L and ts >= %L and ts < %L and %s',
        p_name, p_from, p_to, ops_metric_filter_sql(p_filters, 'labels'))
    into v_rows;
    return v_rows;
end
$$;


create or replace function ops_metric_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from metric_samples where ts < p_older_than order by ts limit p_batch
    ), del as (
        delete from metric_samples m using doomed where m.id = doomed.id returning 1
    ), old_rollups as (
        select minute, project, environment, deployment, route from metric_rollups
        where minute < p_older_than order by minute limit p_batch
    ), roll as (
        delete from metric_rollups m using old_rollups o
        where (m.minute, m.project, m.environment, m.deployment, m.route)
            = (o.minute, o.project, o.environment, o.deployment, o.route)
        returning 1
    ), old_spans as (
        select trace_id, span_id from trace_spans_seen where ts < p_older_than
        order by ts limit p_batch
    ), spans as (
        delete from trace_spans_seen t using old_spans o
        where (t.trace_id, t.span_id) = (o.trace_id, o.span_id) returning 1
    )
    select jsonb_build_object('deleted', (select count(*) from del) + (select count(*) from roll)
                                         + (select count(*) from spans))
$$;


create or replace function ops_metric_definition_upsert(p_name text, p_query text,
                                                        p_description text, p_actor text)
returns jsonb
language sql as $$
    insert into metric_definitions (name, query, description, created_by)
    values (p_name, p_query, p_description, p_actor)
    on conflict (name) do update set query = excluded.query,
        description = excluded.description, updated_at = now()
    returning to_jsonb(metric_definitions.*)
$$;


create or replace function ops_metric_definition_list() returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(d) order by d.name), '[]'::jsonb) from metric_definitions d
$$;


create or replace function ops_metric_definition_delete(p_name text) returns jsonb
language sql as $$
    with del as (delete from metric_definitions where name = p_name returning 1)
    select jsonb_build_object('deleted', (select count(*) from del))
$$;


select ops_lock_down();
