//! Edge cases of the shared validation rules and of frame decoding.

use shared::*;

#[test]
fn nickname_rules() {
    assert_eq!(Nickname::parse("  alice ").unwrap().as_str(), "alice");
    assert_eq!(
        Nickname::parse("Ünïcødé 名前").unwrap().as_str(),
        "Ünïcødé 名前"
    );
    assert_eq!(Nickname::parse(""), Err(ValidationError::Empty));
    assert_eq!(Nickname::parse(" \t "), Err(ValidationError::Empty));
    assert!(Nickname::parse(&"x".repeat(32)).is_ok());
    assert_eq!(
        Nickname::parse(&"x".repeat(33)),
        Err(ValidationError::TooLong { len: 33, max: 32 })
    );
    // 32 multi-byte characters are fine: the limit counts characters, not bytes.
    assert!(Nickname::parse(&"é".repeat(32)).is_ok());
    assert_eq!(
        Nickname::parse("a\u{7}b"),
        Err(ValidationError::BadChar('\u{7}'))
    );
    assert_eq!(Nickname::parse("a\nb"), Err(ValidationError::BadChar('\n')));
    assert_eq!(
        Nickname::parse("Alice").unwrap().key(),
        Nickname::parse("aLICE").unwrap().key()
    );
}

#[test]
fn room_name_rules() {
    for ok in ["lobby", "a", "rust-lang_2", &"z".repeat(48)] {
        assert!(RoomName::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(RoomName::parse(""), Err(ValidationError::Empty));
    assert_eq!(RoomName::parse("Lobby"), Err(ValidationError::BadChar('L')));
    assert_eq!(RoomName::parse("a b"), Err(ValidationError::BadChar(' ')));
    assert_eq!(RoomName::parse("a/b"), Err(ValidationError::BadChar('/')));
    assert_eq!(
        RoomName::parse(" lobby"),
        Err(ValidationError::BadChar(' '))
    );
    assert_eq!(
        RoomName::parse(&"z".repeat(49)),
        Err(ValidationError::TooLong { len: 49, max: 48 })
    );
}

#[test]
fn text_rules() {
    assert_eq!(
        MessageText::parse("  hi \n").unwrap().as_str(),
        "  hi \n",
        "kept as sent"
    );
    assert_eq!(MessageText::parse(""), Err(ValidationError::Empty));
    assert_eq!(MessageText::parse(" \n\t"), Err(ValidationError::Empty));
    assert!(MessageText::parse(&"é".repeat(4000)).is_ok());
    assert_eq!(
        MessageText::parse(&"é".repeat(4001)),
        Err(ValidationError::TooLong {
            len: 4001,
            max: 4000
        })
    );
}

#[test]
fn client_id_rules() {
    assert!(ClientMsgId::parse("0b1f-AZ_9").is_ok());
    assert!(ClientMsgId::parse(&"a".repeat(64)).is_ok());
    assert_eq!(ClientMsgId::parse(""), Err(ValidationError::Empty));
    assert!(matches!(
        ClientMsgId::parse(&"a".repeat(65)),
        Err(ValidationError::TooLong { .. })
    ));
    assert_eq!(
        ClientMsgId::parse("a b"),
        Err(ValidationError::BadChar(' '))
    );
}

#[test]
fn decode_tells_problems_apart() {
    let code = |s: &str| decode_client_msg(s).unwrap_err().code;
    assert_eq!(code("{not json"), ErrorCode::InvalidJson);
    assert_eq!(code(""), ErrorCode::InvalidJson);
    assert_eq!(code("[1,2]"), ErrorCode::MissingType);
    assert_eq!(code("{\"room\":\"lobby\"}"), ErrorCode::MissingType);
    assert_eq!(code("{\"type\":5}"), ErrorCode::MissingType);
    assert_eq!(code("{\"type\":\"dance\"}"), ErrorCode::UnknownType);
    assert_eq!(
        code("{\"type\":\"send\",\"room\":\"lobby\"}"),
        ErrorCode::BadMessage
    );
    assert_eq!(
        code("{\"type\":\"join\",\"room\":5,\"nickname\":\"a\"}"),
        ErrorCode::BadMessage
    );
    let err = decode_client_msg("{\"type\":\"send\",\"room\":\"lobby\"}").unwrap_err();
    assert!(
        err.message.contains("client_id"),
        "names the missing field: {}",
        err.message
    );
}

#[test]
fn decode_ignores_unknown_fields_for_forward_compatibility() {
    let msg = decode_client_msg("{\"type\":\"leave\",\"room\":\"x\",\"future\":1}").unwrap();
    assert_eq!(msg, ClientMsg::Leave { room: "x".into() });
}

#[test]
fn message_text_refuses_control_characters_but_newline_and_tab() {
    let forbidden = (0u32..0x20)
        .chain(0x7f..0xa0)
        .filter_map(char::from_u32)
        .filter(|c| !matches!(c, '\n' | '\t'));
    for c in forbidden {
        assert_eq!(
            MessageText::parse(&format!("a{c}b")),
            Err(ValidationError::BadChar(c)),
            "U+{:04X}",
            c as u32
        );
    }
    assert_eq!(
        MessageText::parse("a\0b"),
        Err(ValidationError::BadChar('\0')),
        "NUL, which PostgreSQL cannot store"
    );
    assert_eq!(MessageText::parse("a\nb\tc").unwrap().as_str(), "a\nb\tc");
    assert_eq!(
        MessageText::parse("line 1\r\nline 2\r\n").unwrap().as_str(),
        "line 1\nline 2\n",
        "CRLF becomes LF, so bots and API clients keep working"
    );
    assert_eq!(
        MessageText::parse("a\rb"),
        Err(ValidationError::BadChar('\r')),
        "a lone CR is a control character"
    );
}

#[test]
fn text_accepted_under_older_rules_still_reads() {
    // Stored before control characters were refused: it reads, and it decodes in a frame.
    let old = "old\u{1}text";
    assert_eq!(MessageText::stored(old).unwrap().as_str(), old);
    let frame = r#"{"type":"message","room":"lobby","seq":1,"id":1,"nickname":"a","text":"old\u0001text","ts":0}"#;
    match serde_json::from_str::<ServerMsg>(frame).unwrap() {
        ServerMsg::Message(m) => assert_eq!(m.text.as_str(), old),
        other => panic!("expected a message, got {other:?}"),
    }
    assert_eq!(MessageText::stored("  "), Err(ValidationError::Empty));
}

#[test]
fn the_escaped_size_of_any_accepted_text_is_bounded() {
    // The worst cases for each kind of character: 4-byte UTF-8, and escaped ASCII.
    for c in ['😀', '"', '\\', 'x', 'é', '名'] {
        let text = MessageText::parse(&c.to_string().repeat(TEXT_MAX_CHARS)).unwrap();
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(json.len() - 2, json_escaped_len(text.as_str()), "{c:?}");
        assert!(
            json.len() - 2 <= TEXT_MAX_JSON_BYTES,
            "{c:?}: {}",
            json.len()
        );
    }
    let frame = ServerMsg::Message(ChatMessage {
        room: RoomName::parse(&"r".repeat(ROOM_NAME_MAX_CHARS)).unwrap(),
        seq: Seq(u64::MAX),
        id: MessageId(u64::MAX),
        // The widest name a server may send: one registered before the nickname rules.
        nickname: Nickname::stored(&"\u{10FFFF}".repeat(NICKNAME_MAX_CHARS)).unwrap(),
        text: MessageText::parse(&"😀".repeat(TEXT_MAX_CHARS)).unwrap(),
        ts: i64::MIN,
        bot: true,
        reply: Some(Reply {
            seq: Seq(u64::MAX),
            nickname: Nickname::stored(&"\u{10FFFF}".repeat(NICKNAME_MAX_CHARS)).unwrap(),
            snippet: "😀".repeat(REPLY_SNIPPET_MAX_CHARS),
        }),
        reactions: Vec::new(),
        rev: u64::MAX,
    });
    let len = serde_json::to_string(&frame).unwrap().len();
    assert!(len < 17 * 1024, "a message frame is {len} bytes");
}
