-- Brands and industry chains (品牌与产业链, issue 7): the regional public brand and product
-- brands with their geographical-indication details; licences to use a brand, to an actor of
-- the registry for a period (revoking keeps the row: revoked_on); the "6+X" industry chains,
-- each with one link per kind (growing, processing, sales, tourism) naming its actors and
-- villages; and each chain's output value per year (fen), versioned.
CREATE TABLE brands (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('regional', 'product')),
    product    TEXT NOT NULL DEFAULT '',
    gi_number  TEXT,
    gi_holder  TEXT,
    gi_area    TEXT,
    version    BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE brand_licences (
    id          BIGINT PRIMARY KEY,
    brand_id    BIGINT NOT NULL REFERENCES brands (id),
    actor_id    BIGINT NOT NULL REFERENCES actors (id),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL,
    revoked_on  TEXT,
    note        TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    CHECK (valid_to >= valid_from)
);
CREATE INDEX brand_licences_brand ON brand_licences (brand_id);

CREATE TABLE chains (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    brand_id   BIGINT REFERENCES brands (id),
    note       TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 1
);

-- A link is the set of its actors and villages: (chain, kind) appears once per member.
CREATE TABLE chain_link_actors (
    chain_id   BIGINT NOT NULL REFERENCES chains (id),
    kind       TEXT NOT NULL CHECK (kind IN ('growing', 'processing', 'sales', 'tourism')),
    actor_id   BIGINT NOT NULL REFERENCES actors (id),
    PRIMARY KEY (chain_id, kind, actor_id)
);

CREATE TABLE chain_link_villages (
    chain_id      BIGINT NOT NULL REFERENCES chains (id),
    kind          TEXT NOT NULL CHECK (kind IN ('growing', 'processing', 'sales', 'tourism')),
    village_code  TEXT NOT NULL REFERENCES divisions (code),
    PRIMARY KEY (chain_id, kind, village_code)
);

CREATE TABLE chain_outputs (
    chain_id    BIGINT NOT NULL REFERENCES chains (id),
    year        BIGINT NOT NULL,
    output_fen  BIGINT NOT NULL CHECK (output_fen >= 0),
    version     BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (chain_id, year)
);

INSERT INTO counters (name, next_id) VALUES ('brands', 0);
INSERT INTO counters (name, next_id) VALUES ('brand_licences', 0);
INSERT INTO counters (name, next_id) VALUES ('chains', 0);
