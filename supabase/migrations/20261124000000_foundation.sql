-- Foundation: the audit log, API keys, and the conventions every later migration follows.
--
-- Conventions
--   * Every operation the application performs is one SQL function named ops_<noun>_<verb>,
--     returning jsonb, with arguments named p_<name>. One call is one transaction.
--   * Tables have row level security enabled and no policies: only the service role (Supabase)
--     or the table owner (plain Postgres) can touch them.
--   * Functions are not executable by PUBLIC, anon or authenticated; ops_lock_down() enforces
--     that and is called at the end of every migration.

create table if not exists audit_log (
    id           bigint generated always as identity primary key,
    at           timestamptz not null default now(),
    actor        text        not null,            -- key name, 'cron', 'agent', 'cli', 'anonymous'
    actor_key_id uuid,
    action       text        not null,            -- 'POST /api/admin/keys', 'keys.create', ...
    target       text,
    outcome      text        not null,            -- 'ok', 'denied', 'error', 'rejected'
    status_code  integer,
    request_id   text,
    details      jsonb       not null default '{}'::jsonb
);
create index if not exists audit_log_at_idx on audit_log (at desc, id desc);
create index if not exists audit_log_actor_idx on audit_log (actor, at desc);
alter table audit_log enable row level security;

create table if not exists api_keys (
    id           uuid        primary key default gen_random_uuid(),
    name         text        not null check (length(name) between 1 and 100),
    role         text        not null check (role in ('viewer', 'operator', 'admin')),
    prefix       text        not null,            -- shown in listings, e.g. 'oa_3kq9x2'
    key_hash     text        not null unique,     -- sha256 hex of the whole key; the key is never stored
    created_at   timestamptz not null default now(),
    created_by   text        not null default 'cli',
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create unique index if not exists api_keys_active_name_idx on api_keys (name) where revoked_at is null;
alter table api_keys enable row level security;


-- A liveness probe that also proves the schema is in place.
create or replace function ops_ping() returns jsonb
language sql stable as $$
    select jsonb_build_object('ok', true, 'now', now())
$$;


-- Append audit entries: p_entries is a JSON array of objects with the audit_log columns.
create or replace function ops_audit_append(p_entries jsonb) returns jsonb
language sql as $$
    with ins as (
        insert into audit_log (at, actor, actor_key_id, action, target, outcome, status_code,
                               request_id, details)
        select coalesce(e.at, now()), e.actor, e.actor_key_id, e.action, e.target, e.outcome,
               e.status_code, e.request_id, coalesce(e.details, '{}'::jsonb)
        from jsonb_to_recordset(p_entries) as e(
            at timestamptz, actor text, actor_key_id uuid, action text, target text,
            outcome text, status_code integer, request_id text, details jsonb)
        returning id
    )
    select jsonb_build_object('inserted', count(*)) from ins
$$;


-- Newest first, keyset-paginated by id.
create or replace function ops_audit_list(
    p_limit integer default 100,
    p_before_id bigint default null,
    p_actor text default null,
    p_action_prefix text default null
) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(to_jsonb(a) order by a.id desc), '[]'::jsonb)
    from (
        select id, at, actor, actor_key_id, action, target, outcome, status_code, request_id,
               details
        from audit_log
        where (p_before_id is null or id < p_before_id)
          and (p_actor is null or actor = p_actor)
          and (p_action_prefix is null or action like p_action_prefix || '%')
        order by id desc
        limit least(greatest(p_limit, 1), 1000)
    ) a
$$;


-- Delete at most p_batch entries older than p_older_than; callers loop while deleted = p_batch.
create or replace function ops_audit_purge(p_older_than timestamptz, p_batch integer default 5000)
returns jsonb
language sql as $$
    with doomed as (
        select id from audit_log where at < p_older_than order by id limit p_batch
    ), del as (
        delete from audit_log a using doomed d where a.id = d.id returning a.id
    )
    select jsonb_build_object('deleted', count(*)) from del
$$;


create or replace function ops_api_key_create(
    p_name text, p_role text, p_prefix text, p_key_hash text, p_created_by text default 'cli'
) returns jsonb
language sql as $$
    insert into api_keys (name, role, prefix, key_hash, created_by)
    values (p_name, p_role, p_prefix, p_key_hash, p_created_by)
    returning jsonb_build_object('id', id, 'name', name, 'role', role, 'prefix', prefix,
                                 'created_at', created_at, 'created_by', created_by)
$$;


-- The active key with this hash, or null. Marks it used at most once a minute, so that a busy
-- client does not turn every read into a row update.
create or replace function ops_api_key_authenticate(p_key_hash text) returns jsonb
language plpgsql as $$
declare
    k api_keys;
begin
    select * into k from api_keys where key_hash = p_key_hash and revoked_at is null;
    if not found then
        return null;
    end if;
    if k.last_used_at is null or k.last_used_at < now() - interval '1 minute' then
        update api_keys set last_used_at = now() where id = k.id;
    end if;
    return jsonb_build_object('id', k.id, 'name', k.name, 'role', k.role, 'prefix', k.prefix);
end
$$;


create or replace function ops_api_key_list(p_include_revoked boolean default false) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
        'id', id, 'name', name, 'role', role, 'prefix', prefix, 'created_at', created_at,
        'created_by', created_by, 'last_used_at', last_used_at, 'revoked_at', revoked_at
    ) order by created_at, id), '[]'::jsonb)
    from api_keys
    where p_include_revoked or revoked_at is null
$$;


-- Revoke by id, name or prefix. Returns the revoked key, or null when no active key matched.
create or replace function ops_api_key_revoke(p_key text) returns jsonb
language sql as $$
    update api_keys set revoked_at = now()
    where revoked_at is null
      and (id::text = p_key or name = p_key or prefix = p_key)
    returning jsonb_build_object('id', id, 'name', name, 'role', role, 'prefix', prefix,
                                 'revoked_at', revoked_at)
$$;


-- Keep the API surface private: only the service role may call ops_* functions and read tables.
create or replace function ops_lock_down() returns void
language plpgsql as $$
declare
    fn record;
    tbl record;
begin
    for fn in
        select p.oid::regprocedure as sig
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = current_schema() and p.proname like 'ops\_%'
    loop
        execute format('revoke all on function %s from public', fn.sig);
        if exists (select 1 from pg_roles where rolname = 'anon') then
            execute format('revoke all on function %s from anon, authenticated', fn.sig);
        end if;
        if exists (select 1 from pg_roles where rolname = 'service_role') then
            execute format('grant execute on function %s to service_role', fn.sig);
        end if;
    end loop;
    if exists (select 1 from pg_roles where rolname = 'anon') then
        for tbl in select tablename from pg_tables where schemaname = current_schema() loop
            execute format('revoke all on table %I from anon, authenticated', tbl.tablename);
        end loop;
    end if;
end
$$;

select ops_lock_down();
