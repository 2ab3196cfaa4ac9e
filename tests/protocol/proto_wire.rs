//! Wire-compatibility checks for the generated protocol code.
//!
//! The expected field numbers, wire types, enum values and RPC paths below are
//! transcribed from the public protocol definitions (hashicorp/terraform
//! `docs/plugin-protocol/tfplugin6.proto` at protocol 6.10, hashicorp/go-plugin
//! `internal/plugin/*.proto`, grpc `health/v1/health.proto`), not from our own
//! `.proto` files, so a typo in ours makes these tests fail.

use std::collections::{BTreeSet, HashMap};

use bytes::Bytes;
use http_body_util::Full;
use prost::Message;
use terraform_provider_proton::server::proto::{health, plugin, tfplugin6 as tf, wkt};
use tonic::codegen::Service;

const VARINT: u8 = 0;
const LEN: u8 = 2;

/// Reads one base-128 varint, returning it and the bytes consumed.
fn read_varint(buf: &[u8]) -> (u64, usize) {
    let mut value = 0u64;
    for (i, byte) in buf.iter().enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    panic!("truncated varint");
}

/// Splits an encoded message into its top-level (field number, wire type,
/// payload) records, using only the protobuf wire format.
fn records(mut buf: &[u8]) -> Vec<(u32, u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (key, n) = read_varint(buf);
        buf = &buf[n..];
        let number = u32::try_from(key >> 3).expect("field number fits u32");
        let wire_type = (key & 7) as u8;
        match wire_type {
            VARINT => {
                let (v, n) = read_varint(buf);
                out.push((number, wire_type, v.to_le_bytes().to_vec()));
                buf = &buf[n..];
            }
            LEN => {
                let (len, n) = read_varint(buf);
                let len = usize::try_from(len).expect("length fits usize");
                out.push((number, wire_type, buf[n..n + len].to_vec()));
                buf = &buf[n + len..];
            }
            other => panic!("unexpected wire type {other} for field {number}"),
        }
    }
    out
}

/// The set of (field number, wire type) pairs present in an encoded message.
fn layout<M: Message>(msg: &M) -> BTreeSet<(u32, u8)> {
    records(&msg.encode_to_vec())
        .into_iter()
        .map(|(n, w, _)| (n, w))
        .collect()
}

fn expect(pairs: &[(u32, u8)]) -> BTreeSet<(u32, u8)> {
    pairs.iter().copied().collect()
}

fn dv() -> Option<tf::DynamicValue> {
    Some(tf::DynamicValue {
        msgpack: vec![0xc0],
        json: Vec::new(),
    })
}

fn diag() -> tf::Diagnostic {
    tf::Diagnostic {
        severity: tf::diagnostic::Severity::Error as i32,
        summary: "s".into(),
        detail: "d".into(),
        attribute: Some(tf::AttributePath::default()),
    }
}

fn identity() -> Option<tf::ResourceIdentityData> {
    Some(tf::ResourceIdentityData {
        identity_data: dv(),
    })
}

fn caps() -> Option<tf::ClientCapabilities> {
    Some(tf::ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    })
}

fn deferred() -> Option<tf::Deferred> {
    Some(tf::Deferred {
        reason: tf::deferred::Reason::AbsentPrereq as i32,
    })
}

fn full_attribute() -> tf::schema::Attribute {
    tf::schema::Attribute {
        name: "n".into(),
        r#type: b"\"string\"".to_vec(),
        nested_type: Some(tf::schema::Object::default()),
        description: "d".into(),
        required: true,
        optional: true,
        computed: true,
        sensitive: true,
        description_kind: tf::StringKind::Markdown as i32,
        deprecated: true,
        write_only: true,
        deprecation_message: "m".into(),
    }
}

#[test]
fn get_provider_schema_response_fields() {
    let schema = tf::Schema::default();
    let resp = tf::get_provider_schema::Response {
        provider: Some(schema.clone()),
        resource_schemas: HashMap::from([("a".into(), schema.clone())]),
        data_source_schemas: HashMap::from([("b".into(), schema.clone())]),
        diagnostics: vec![diag()],
        provider_meta: Some(schema.clone()),
        server_capabilities: Some(tf::ServerCapabilities::default()),
        functions: HashMap::from([("f".into(), tf::Function::default())]),
        ephemeral_resource_schemas: HashMap::from([("e".into(), schema.clone())]),
        list_resource_schemas: HashMap::from([("l".into(), schema.clone())]),
        state_store_schemas: HashMap::from([("s".into(), schema.clone())]),
        action_schemas: HashMap::from([(
            "x".into(),
            tf::ActionSchema {
                schema: Some(schema),
            },
        )]),
    };
    // provider=1 resource_schemas=2 data_source_schemas=3 diagnostics=4
    // provider_meta=5 server_capabilities=6 functions=7 ephemeral=8 list=9
    // state_store=10 action_schemas=11
    let want: Vec<(u32, u8)> = (1..=11).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&resp), expect(&want));

    // A map entry is a message with key = 1 and value = 2.
    let only_map = tf::get_provider_schema::Response {
        resource_schemas: HashMap::from([(
            "proton_environment".into(),
            tf::Schema {
                version: 1,
                block: None,
            },
        )]),
        ..Default::default()
    };
    let recs = records(&only_map.encode_to_vec());
    assert_eq!(recs.len(), 1);
    assert_eq!((recs[0].0, recs[0].1), (2, LEN));
    let entry = records(&recs[0].2);
    assert_eq!((entry[0].0, entry[0].1), (1, LEN));
    assert_eq!(entry[0].2, b"proton_environment");
    assert_eq!((entry[1].0, entry[1].1), (2, LEN));
}

#[test]
fn schema_messages_fields() {
    assert_eq!(
        layout(&full_attribute()),
        expect(&[
            (1, LEN),     // name
            (2, LEN),     // type
            (3, LEN),     // description
            (4, VARINT),  // required
            (5, VARINT),  // optional
            (6, VARINT),  // computed
            (7, VARINT),  // sensitive
            (8, VARINT),  // description_kind
            (9, VARINT),  // deprecated
            (10, LEN),    // nested_type
            (11, VARINT), // write_only
            (12, LEN),    // deprecation_message
        ])
    );

    let block = tf::schema::Block {
        version: 3,
        attributes: vec![full_attribute()],
        block_types: vec![tf::schema::NestedBlock::default()],
        description: "d".into(),
        description_kind: tf::StringKind::Markdown as i32,
        deprecated: true,
        deprecation_message: "m".into(),
    };
    assert_eq!(
        layout(&block),
        expect(&[
            (1, VARINT),
            (2, LEN),
            (3, LEN),
            (4, LEN),
            (5, VARINT),
            (6, VARINT),
            (7, LEN),
        ])
    );

    let nested = tf::schema::NestedBlock {
        type_name: "t".into(),
        block: Some(tf::schema::Block::default()),
        nesting: tf::schema::nested_block::NestingMode::Group as i32,
        min_items: 1,
        max_items: 2,
    };
    assert_eq!(
        layout(&nested),
        expect(&[(1, LEN), (2, LEN), (3, VARINT), (4, VARINT), (5, VARINT)])
    );

    #[allow(deprecated)]
    let object = tf::schema::Object {
        attributes: vec![full_attribute()],
        nesting: tf::schema::object::NestingMode::Map as i32,
        min_items: 1,
        max_items: 1,
    };
    // Field 2 was never used in Object.
    assert_eq!(
        layout(&object),
        expect(&[(1, LEN), (3, VARINT), (4, VARINT), (5, VARINT)])
    );

    let schema = tf::Schema {
        version: 1,
        block: Some(block),
    };
    assert_eq!(layout(&schema), expect(&[(1, VARINT), (2, LEN)]));
}

#[test]
fn identity_schema_fields() {
    let attr = tf::resource_identity_schema::IdentityAttribute {
        name: "arn".into(),
        r#type: b"\"string\"".to_vec(),
        required_for_import: true,
        optional_for_import: true,
        description: "d".into(),
    };
    assert_eq!(
        layout(&attr),
        expect(&[(1, LEN), (2, LEN), (3, VARINT), (4, VARINT), (5, LEN)])
    );
    let schema = tf::ResourceIdentitySchema {
        version: 1,
        identity_attributes: vec![attr],
    };
    assert_eq!(layout(&schema), expect(&[(1, VARINT), (2, LEN)]));

    let resp = tf::get_resource_identity_schemas::Response {
        identity_schemas: HashMap::from([("t".into(), schema)]),
        diagnostics: vec![diag()],
    };
    assert_eq!(layout(&resp), expect(&[(1, LEN), (2, LEN)]));
    assert_eq!(
        layout(&tf::ResourceIdentityData {
            identity_data: dv()
        }),
        expect(&[(1, LEN)])
    );
}

#[test]
fn resource_lifecycle_fields() {
    let plan_req = tf::plan_resource_change::Request {
        type_name: "t".into(),
        prior_state: dv(),
        proposed_new_state: dv(),
        config: dv(),
        prior_private: vec![1],
        provider_meta: dv(),
        client_capabilities: caps(),
        prior_identity: identity(),
    };
    let want: Vec<(u32, u8)> = (1..=8).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&plan_req), expect(&want));

    let plan_resp = tf::plan_resource_change::Response {
        planned_state: dv(),
        requires_replace: vec![tf::AttributePath::default()],
        planned_private: vec![1],
        diagnostics: vec![diag()],
        legacy_type_system: true,
        deferred: deferred(),
        planned_identity: identity(),
    };
    assert_eq!(
        layout(&plan_resp),
        expect(&[
            (1, LEN),
            (2, LEN),
            (3, LEN),
            (4, LEN),
            (5, VARINT),
            (6, LEN),
            (7, LEN),
        ])
    );

    let apply_req = tf::apply_resource_change::Request {
        type_name: "t".into(),
        prior_state: dv(),
        planned_state: dv(),
        config: dv(),
        planned_private: vec![1],
        provider_meta: dv(),
        planned_identity: identity(),
    };
    let want: Vec<(u32, u8)> = (1..=7).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&apply_req), expect(&want));

    let apply_resp = tf::apply_resource_change::Response {
        new_state: dv(),
        private: vec![1],
        diagnostics: vec![diag()],
        legacy_type_system: true,
        new_identity: identity(),
    };
    assert_eq!(
        layout(&apply_resp),
        expect(&[(1, LEN), (2, LEN), (3, LEN), (4, VARINT), (5, LEN)])
    );

    let read_req = tf::read_resource::Request {
        type_name: "t".into(),
        current_state: dv(),
        private: vec![1],
        provider_meta: dv(),
        client_capabilities: caps(),
        current_identity: identity(),
    };
    let want: Vec<(u32, u8)> = (1..=6).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&read_req), expect(&want));

    let read_resp = tf::read_resource::Response {
        new_state: dv(),
        diagnostics: vec![diag()],
        private: vec![1],
        deferred: deferred(),
        new_identity: identity(),
    };
    let want: Vec<(u32, u8)> = (1..=5).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&read_resp), expect(&want));

    let import_req = tf::import_resource_state::Request {
        type_name: "t".into(),
        id: "i".into(),
        client_capabilities: caps(),
        identity: identity(),
    };
    let want: Vec<(u32, u8)> = (1..=4).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&import_req), expect(&want));
    let imported = tf::import_resource_state::ImportedResource {
        type_name: "t".into(),
        state: dv(),
        private: vec![1],
        identity: identity(),
    };
    assert_eq!(layout(&imported), expect(&want));
    let import_resp = tf::import_resource_state::Response {
        imported_resources: vec![imported],
        diagnostics: vec![diag()],
        deferred: deferred(),
    };
    assert_eq!(
        layout(&import_resp),
        expect(&[(1, LEN), (2, LEN), (3, LEN)])
    );

    let upgrade_req = tf::upgrade_resource_state::Request {
        type_name: "t".into(),
        version: 2,
        raw_state: Some(tf::RawState {
            json: b"{}".to_vec(),
            flatmap: HashMap::from([("k".into(), "v".into())]),
        }),
    };
    assert_eq!(
        layout(&upgrade_req),
        expect(&[(1, LEN), (2, VARINT), (3, LEN)])
    );

    let move_req = tf::move_resource_state::Request {
        source_provider_address: "a".into(),
        source_type_name: "t".into(),
        source_schema_version: 1,
        source_state: Some(tf::RawState::default()),
        target_type_name: "u".into(),
        source_private: vec![1],
        source_identity: Some(tf::RawState::default()),
        source_identity_schema_version: 1,
    };
    assert_eq!(
        layout(&move_req),
        expect(&[
            (1, LEN),
            (2, LEN),
            (3, VARINT),
            (4, LEN),
            (5, LEN),
            (6, LEN),
            (7, LEN),
            (8, VARINT),
        ])
    );

    let gen_req = tf::generate_resource_config::Request {
        type_name: "t".into(),
        state: dv(),
    };
    assert_eq!(layout(&gen_req), expect(&[(1, LEN), (2, LEN)]));

    let ds_req = tf::read_data_source::Request {
        type_name: "t".into(),
        config: dv(),
        provider_meta: dv(),
        client_capabilities: caps(),
    };
    let want: Vec<(u32, u8)> = (1..=4).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&ds_req), expect(&want));
}

#[test]
fn provider_level_fields() {
    // ValidateProviderConfig answers with diagnostics in field 2 (not 1).
    let vpc = tf::validate_provider_config::Response {
        diagnostics: vec![diag()],
    };
    assert_eq!(layout(&vpc), expect(&[(2, LEN)]));
    let vrc = tf::validate_resource_config::Response {
        diagnostics: vec![diag()],
    };
    assert_eq!(layout(&vrc), expect(&[(1, LEN)]));

    let configure = tf::configure_provider::Request {
        terraform_version: "1.15.5".into(),
        config: dv(),
        client_capabilities: caps(),
    };
    assert_eq!(layout(&configure), expect(&[(1, LEN), (2, LEN), (3, LEN)]));

    let caps_server = tf::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    };
    assert_eq!(
        layout(&caps_server),
        expect(&[(1, VARINT), (2, VARINT), (3, VARINT), (4, VARINT)])
    );

    let meta = tf::get_metadata::Response {
        server_capabilities: Some(caps_server),
        diagnostics: vec![diag()],
        data_sources: vec![Default::default()],
        resources: vec![Default::default()],
        functions: vec![Default::default()],
        ephemeral_resources: vec![Default::default()],
        list_resources: vec![Default::default()],
        state_stores: vec![Default::default()],
        actions: vec![Default::default()],
    };
    let want: Vec<(u32, u8)> = (1..=9).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&meta), expect(&want));

    assert_eq!(
        layout(&diag()),
        expect(&[(1, VARINT), (2, LEN), (3, LEN), (4, LEN)])
    );

    let stop = tf::stop_provider::Response {
        error: "boom".into(),
    };
    assert_eq!(layout(&stop), expect(&[(1, LEN)]));
}

#[test]
fn attribute_path_steps() {
    use tf::attribute_path::step::Selector;
    let path = tf::AttributePath {
        steps: vec![
            tf::attribute_path::Step {
                selector: Some(Selector::AttributeName("tags".into())),
            },
            tf::attribute_path::Step {
                selector: Some(Selector::ElementKeyString("k".into())),
            },
            tf::attribute_path::Step {
                selector: Some(Selector::ElementKeyInt(7)),
            },
        ],
    };
    let steps = records(&path.encode_to_vec());
    assert!(steps.iter().all(|(n, w, _)| (*n, *w) == (1, LEN)));
    let inner: Vec<(u32, u8)> = steps
        .iter()
        .map(|(_, _, payload)| {
            let r = records(payload);
            (r[0].0, r[0].1)
        })
        .collect();
    assert_eq!(inner, vec![(1, LEN), (2, LEN), (3, VARINT)]);
}

#[test]
fn newer_rpc_messages_fields() {
    let open = tf::open_ephemeral_resource::Response {
        diagnostics: vec![diag()],
        renew_at: Some(wkt::Timestamp {
            seconds: 1,
            nanos: 2,
        }),
        result: dv(),
        private: Some(vec![1]),
        deferred: deferred(),
    };
    let want: Vec<(u32, u8)> = (1..=5).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&open), expect(&want));
    // google.protobuf.Timestamp: seconds = 1, nanos = 2.
    assert_eq!(
        wkt::Timestamp {
            seconds: 1,
            nanos: 2
        }
        .encode_to_vec(),
        vec![0x08, 0x01, 0x10, 0x02]
    );

    let list_req = tf::list_resource::Request {
        type_name: "t".into(),
        config: dv(),
        include_resource_object: true,
        limit: 100,
    };
    assert_eq!(
        layout(&list_req),
        expect(&[(1, LEN), (2, LEN), (3, VARINT), (4, VARINT)])
    );
    let event = tf::list_resource::Event {
        identity: identity(),
        display_name: "x".into(),
        resource_object: dv(),
        diagnostic: vec![diag()],
    };
    let want: Vec<(u32, u8)> = (1..=4).map(|n| (n, LEN)).collect();
    assert_eq!(layout(&event), expect(&want));

    let vlist = tf::validate_list_resource_config::Request {
        type_name: "t".into(),
        config: dv(),
        include_resource_object: dv(),
        limit: dv(),
    };
    assert_eq!(layout(&vlist), expect(&want));

    let plan_action = tf::plan_action::Request {
        action_type: "a".into(),
        config: dv(),
        client_capabilities: caps(),
    };
    assert_eq!(
        layout(&plan_action),
        expect(&[(1, LEN), (2, LEN), (3, LEN)])
    );

    use tf::invoke_action::event::{Completed, Progress, Type};
    let progress = tf::invoke_action::Event {
        r#type: Some(Type::Progress(Progress {
            message: "m".into(),
        })),
    };
    assert_eq!(layout(&progress), expect(&[(1, LEN)]));
    let completed = tf::invoke_action::Event {
        r#type: Some(Type::Completed(Completed {
            diagnostics: vec![diag()],
        })),
    };
    assert_eq!(layout(&completed), expect(&[(2, LEN)]));

    let call = tf::call_function::Response {
        result: dv(),
        error: Some(tf::FunctionError {
            text: "t".into(),
            function_argument: Some(0),
        }),
    };
    assert_eq!(layout(&call), expect(&[(1, LEN), (2, LEN)]));
    // proto3 `optional`: an explicit zero is still sent.
    let fe = tf::FunctionError {
        text: "t".into(),
        function_argument: Some(0),
    };
    assert_eq!(layout(&fe), expect(&[(1, LEN), (2, VARINT)]));

    let func = tf::Function {
        parameters: vec![Default::default()],
        variadic_parameter: Some(Default::default()),
        r#return: Some(Default::default()),
        summary: "s".into(),
        description: "d".into(),
        description_kind: tf::StringKind::Markdown as i32,
        deprecation_message: "m".into(),
    };
    assert_eq!(
        layout(&func),
        expect(&[
            (1, LEN),
            (2, LEN),
            (3, LEN),
            (4, LEN),
            (5, LEN),
            (6, VARINT),
            (7, LEN),
        ])
    );
}

#[test]
fn enum_values() {
    assert_eq!(tf::StringKind::Plain as i32, 0);
    assert_eq!(tf::StringKind::Markdown as i32, 1);
    assert_eq!(tf::diagnostic::Severity::Invalid as i32, 0);
    assert_eq!(tf::diagnostic::Severity::Error as i32, 1);
    assert_eq!(tf::diagnostic::Severity::Warning as i32, 2);
    use tf::schema::nested_block::NestingMode as B;
    assert_eq!(
        [B::Invalid, B::Single, B::List, B::Set, B::Map, B::Group].map(|m| m as i32),
        [0, 1, 2, 3, 4, 5]
    );
    use tf::schema::object::NestingMode as O;
    assert_eq!(
        [O::Invalid, O::Single, O::List, O::Set, O::Map].map(|m| m as i32),
        [0, 1, 2, 3, 4]
    );
    use tf::deferred::Reason as R;
    assert_eq!(
        [
            R::Unknown,
            R::ResourceConfigUnknown,
            R::ProviderConfigUnknown,
            R::AbsentPrereq
        ]
        .map(|r| r as i32),
        [0, 1, 2, 3]
    );
    use plugin::stdio_data::Channel as C;
    assert_eq!(
        [C::Invalid, C::Stdout, C::Stderr].map(|c| c as i32),
        [0, 1, 2]
    );
    use health::health_check_response::ServingStatus as S;
    assert_eq!(
        [S::Unknown, S::Serving, S::NotServing, S::ServiceUnknown].map(|s| s as i32),
        [0, 1, 2, 3]
    );
}

#[test]
fn go_plugin_and_health_fields() {
    let chunk = plugin::StdioData {
        channel: plugin::stdio_data::Channel::Stderr as i32,
        data: b"log line\n".to_vec(),
    };
    assert_eq!(layout(&chunk), expect(&[(1, VARINT), (2, LEN)]));

    let conn = plugin::ConnInfo {
        service_id: 1,
        network: "unix".into(),
        address: "/tmp/x".into(),
        knock: Some(plugin::conn_info::Knock {
            knock: true,
            ack: true,
            error: "e".into(),
        }),
    };
    assert_eq!(
        layout(&conn),
        expect(&[(1, VARINT), (2, LEN), (3, LEN), (4, LEN)])
    );
    let knock = plugin::conn_info::Knock {
        knock: true,
        ack: true,
        error: "e".into(),
    };
    assert_eq!(
        layout(&knock),
        expect(&[(1, VARINT), (2, VARINT), (3, LEN)])
    );
    assert!(plugin::Empty {}.encode_to_vec().is_empty());

    let req = health::HealthCheckRequest {
        service: "plugin".into(),
    };
    assert_eq!(req.encode_to_vec(), b"\x0a\x06plugin");
    let resp = health::HealthCheckResponse {
        status: health::health_check_response::ServingStatus::Serving as i32,
    };
    assert_eq!(resp.encode_to_vec(), vec![0x08, 0x01]);
}

/// Decoding bytes laid out by hand the way Terraform sends them.
#[test]
fn decodes_hand_built_plan_request() {
    let mut buf = Vec::new();
    // 1: type_name "proton_service"
    buf.extend_from_slice(&[0x0a, 14]);
    buf.extend_from_slice(b"proton_service");
    // 3: proposed_new_state { msgpack: [0xc0] }
    buf.extend_from_slice(&[0x1a, 0x03, 0x0a, 0x01, 0xc0]);
    // 5: prior_private "p"
    buf.extend_from_slice(&[0x2a, 0x01, b'p']);
    // 7: client_capabilities { deferral_allowed: true, write_only: true }
    buf.extend_from_slice(&[0x3a, 0x04, 0x08, 0x01, 0x10, 0x01]);
    // 8: prior_identity { identity_data { json: "{}" } }
    buf.extend_from_slice(&[0x42, 0x06, 0x0a, 0x04, 0x12, 0x02, b'{', b'}']);

    let req = tf::plan_resource_change::Request::decode(buf.as_slice()).expect("decodes");
    assert_eq!(req.type_name, "proton_service");
    assert_eq!(req.proposed_new_state.expect("set").msgpack, vec![0xc0]);
    assert_eq!(req.prior_private, b"p");
    let caps = req.client_capabilities.expect("set");
    assert!(caps.deferral_allowed && caps.write_only_attributes_allowed);
    let ident = req.prior_identity.expect("set").identity_data.expect("set");
    assert_eq!(ident.json, b"{}");
    assert!(req.prior_state.is_none() && req.config.is_none());
}

// ---------------------------------------------------------------------------
// RPC paths: drive the generated servers directly with raw HTTP requests.
// ---------------------------------------------------------------------------

struct Stubs;

#[tonic::async_trait]
impl tf::provider_server::Provider for Stubs {}
#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for Stubs {}
#[tonic::async_trait]
impl plugin::grpc_stdio_server::GrpcStdio for Stubs {}
#[tonic::async_trait]
impl plugin::grpc_broker_server::GrpcBroker for Stubs {}
#[tonic::async_trait]
impl health::health_server::Health for Stubs {}

fn grpc_request(path: &str) -> http::Request<Full<Bytes>> {
    // One uncompressed, zero-length message.
    let body = Full::new(Bytes::from_static(&[0, 0, 0, 0, 0]));
    http::Request::builder()
        .method("POST")
        .uri(format!("http://localhost{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(body)
        .expect("request builds")
}

/// True when the path reached a generated method (whose default body answers
/// UNIMPLEMENTED with a message) rather than the router's unknown-path
/// fallback (UNIMPLEMENTED without a message).
async fn routed<S>(svc: &mut S, path: &str) -> bool
where
    S: Service<http::Request<Full<Bytes>>, Response = http::Response<tonic::body::Body>>,
    S::Error: std::fmt::Debug,
{
    let resp = svc.call(grpc_request(path)).await.expect("service answers");
    let status = resp
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(status.as_deref(), Some("12"), "path {path}");
    resp.headers().contains_key("grpc-message")
}

/// Every RPC of tfplugin6.Provider in protocol 6.10.
const PROVIDER_RPCS: &[&str] = &[
    "GetMetadata",
    "GetProviderSchema",
    "ValidateProviderConfig",
    "ValidateResourceConfig",
    "ValidateDataResourceConfig",
    "UpgradeResourceState",
    "GetResourceIdentitySchemas",
    "UpgradeResourceIdentity",
    "ConfigureProvider",
    "ReadResource",
    "PlanResourceChange",
    "ApplyResourceChange",
    "ImportResourceState",
    "MoveResourceState",
    "ReadDataSource",
    "GenerateResourceConfig",
    "ValidateEphemeralResourceConfig",
    "OpenEphemeralResource",
    "RenewEphemeralResource",
    "CloseEphemeralResource",
    "ListResource",
    "ValidateListResourceConfig",
    "GetFunctions",
    "CallFunction",
    "ValidateStateStoreConfig",
    "ConfigureStateStore",
    "ReadStateBytes",
    "WriteStateBytes",
    "LockState",
    "UnlockState",
    "GetStates",
    "DeleteState",
    "PlanAction",
    "InvokeAction",
    "ValidateActionConfig",
    "StopProvider",
];

#[tokio::test]
async fn provider_rpc_paths() {
    let mut svc = tf::provider_server::ProviderServer::new(Stubs);
    for rpc in PROVIDER_RPCS {
        let path = format!("/tfplugin6.Provider/{rpc}");
        assert!(routed(&mut svc, &path).await, "{path} is not served");
    }
    // The check above must be able to fail.
    assert!(!routed(&mut svc, "/tfplugin6.Provider/NoSuchRpc").await);
    assert!(!routed(&mut svc, "/tfplugin5.Provider/GetProviderSchema").await);
}

#[tokio::test]
async fn helper_service_paths() {
    let mut controller = plugin::grpc_controller_server::GrpcControllerServer::new(Stubs);
    assert!(routed(&mut controller, "/plugin.GRPCController/Shutdown").await);
    assert!(!routed(&mut controller, "/plugin.GrpcController/Shutdown").await);

    let mut stdio = plugin::grpc_stdio_server::GrpcStdioServer::new(Stubs);
    assert!(routed(&mut stdio, "/plugin.GRPCStdio/StreamStdio").await);

    let mut broker = plugin::grpc_broker_server::GrpcBrokerServer::new(Stubs);
    assert!(routed(&mut broker, "/plugin.GRPCBroker/StartStream").await);

    let mut health = health::health_server::HealthServer::new(Stubs);
    assert!(routed(&mut health, "/grpc.health.v1.Health/Check").await);
    assert!(routed(&mut health, "/grpc.health.v1.Health/Watch").await);
}

// ---------------------------------------------------------------------------
// Generated client against generated server over loopback.
// ---------------------------------------------------------------------------

struct SchemaOnly;

#[tonic::async_trait]
impl tf::provider_server::Provider for SchemaOnly {
    async fn get_provider_schema(
        &self,
        _request: tonic::Request<tf::get_provider_schema::Request>,
    ) -> Result<tonic::Response<tf::get_provider_schema::Response>, tonic::Status> {
        Ok(tonic::Response::new(tf::get_provider_schema::Response {
            resource_schemas: HashMap::from([(
                "proton_environment".into(),
                tf::Schema {
                    version: 1,
                    block: Some(tf::schema::Block {
                        attributes: vec![full_attribute()],
                        ..Default::default()
                    }),
                },
            )]),
            ..Default::default()
        }))
    }
}

#[tokio::test]
async fn client_round_trip_over_loopback() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(tf::provider_server::ProviderServer::new(SchemaOnly))
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                async {
                    let _ = stop_rx.await;
                },
            ),
    );

    // Bounded so a broken transport fails the test instead of hanging it.
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut client = tf::provider_client::ProviderClient::connect(format!("http://{addr}"))
            .await
            .expect("connect");
        let schema = client
            .get_provider_schema(tf::get_provider_schema::Request {})
            .await
            .expect("schema call")
            .into_inner();
        let stop = client.stop_provider(tf::stop_provider::Request {}).await;
        (schema, stop)
    })
    .await
    .expect("calls finish");

    let (schema, stop) = outcome;
    let env = &schema.resource_schemas["proton_environment"];
    assert_eq!(env.version, 1);
    let attr = &env.block.as_ref().expect("block").attributes[0];
    assert_eq!(attr, &full_attribute());
    assert_eq!(
        stop.expect_err("not implemented").code(),
        tonic::Code::Unimplemented
    );

    let _ = stop_tx.send(());
    server
        .await
        .expect("server task")
        .expect("server shut down cleanly");
}
