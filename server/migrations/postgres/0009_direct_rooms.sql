-- Direct messages (docs/PROTOCOL.md, `open_direct`): a private room of two, named `dm-` and a
-- hash of the pair's nickname keys. Its row in `rooms` is made with it.
CREATE TABLE direct_rooms (
    room    VARCHAR(48)  NOT NULL PRIMARY KEY,
    key_a   VARCHAR(512) NOT NULL,
    nick_a  VARCHAR(128) NOT NULL,
    key_b   VARCHAR(512) NOT NULL,
    nick_b  VARCHAR(128) NOT NULL
);
