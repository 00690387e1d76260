// The sandbox judged by Kaltura's official Node client (kaltura-client from npm), used as its
// own users use it, for the calls kproducer makes. Reads {serviceUrl, partnerId, adminSecret,
// adminUserId, run} as JSON on stdin (never from the environment); prints one JSON line per
// check: {"check": name, "ok": bool, "detail": text}. Run by tests/test_node_judge.py.
'use strict';

const crypto = require('crypto');
const kaltura = require('kaltura-client');

// KS v2 as Kaltura's clients generate it (KalturaClient.generateSessionV2 of the PHP and Python
// clients; the Node client has no generator): fields urlencoded, 16 random bytes before them,
// their SHA-1 before that, zero-padded, AES-128-CBC with a zero IV and SHA-1(secret)[:16].
function generateKs(secret, userId, type, partnerId, expiry, privileges) {
    const fields = new URLSearchParams();
    for (const privilege of (privileges || '').split(',').filter(Boolean)) {
        const [name, ...value] = privilege.trim().split(':');
        fields.append(name, value.join(':'));
    }
    fields.append('_e', String(Math.floor(Date.now() / 1000) + expiry));
    fields.append('_t', String(type));
    fields.append('_u', userId);
    let plain = Buffer.concat([crypto.randomBytes(16), Buffer.from(fields.toString())]);
    plain = Buffer.concat([crypto.createHash('sha1').update(plain).digest(), plain]);
    const padded = Buffer.alloc(Math.ceil(plain.length / 16) * 16);
    plain.copy(padded);
    const key = crypto.createHash('sha1').update(secret).digest().subarray(0, 16);
    const cipher = crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
    cipher.setAutoPadding(false);
    const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]);
    const ks = Buffer.concat([Buffer.from(`v2|${partnerId}|`), encrypted]).toString('base64');
    return ks.replace(/\+/g, '-').replace(/\//g, '_');
}

function run(client, builder) {
    return new Promise((resolve, reject) => {
        builder.execute(client, (success, result) => {
            if (success) resolve(result);
            else reject(new Error(`${result && result.code}: ${result && result.message}`));
        });
    });
}

async function main() {
    const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const config = new kaltura.Configuration();
    config.serviceUrl = input.serviceUrl;
    config.timeout = 10000;
    config.setLogger({log() {}, debug() {}});  // quiet: the default logger prints every KS
    const client = new kaltura.Client(config);
    client.setKs(generateKs(input.adminSecret, input.adminUserId, kaltura.enums.SessionType.ADMIN,
        input.partnerId, 600, ''));
    const run_id = input.run;
    const checks = [];
    async function check(name, body) {
        try {
            const detail = await body();
            checks.push({check: name, ok: true, detail: String(detail || '')});
        } catch (error) {
            checks.push({check: name, ok: false, detail: String(error.message || error)});
        }
    }
    function expect(condition, text) {
        if (!condition) throw new Error(text);
    }
    const s = kaltura.services;
    const o = kaltura.objects;
    const userId = `judge-${run_id}@example.com`;
    const groupId = `judge-${run_id}_moderators`;
    let liveId = null;

    await check('user.get admin (KS v2 generated locally)', async () => {
        const admin = await run(client, s.user.get(input.adminUserId));
        expect(admin.id === input.adminUserId, `got ${admin.id}`);
    });
    await check('user.add', async () => {
        const user = await run(client, s.user.add(new o.User({id: userId, firstName: 'Judge',
            email: userId})));
        expect(user.id === userId && user.firstName === 'Judge', JSON.stringify(user));
    });
    await check('user.add duplicate is DUPLICATE_USER_BY_ID', async () => {
        try {
            await run(client, s.user.add(new o.User({id: userId})));
        } catch (error) {
            expect(error.message.startsWith('DUPLICATE_USER_BY_ID'), error.message);
            return;
        }
        throw new Error('a duplicate was accepted');
    });
    await check('user.get / user.list idIn', async () => {
        expect((await run(client, s.user.get(userId))).email === userId, 'email');
        const listed = await run(client, s.user.listAction(new o.UserFilter({idIn: userId})));
        expect(listed.totalCount === 1 && listed.objects[0].id === userId,
            JSON.stringify(listed));
    });
    await check('group.add', async () => {
        const group = await run(client, s.group.add(new o.Group({id: groupId, screenName: groupId})));
        expect(group.id === groupId, JSON.stringify(group));
    });
    await check('groupUser.add / list / delete', async () => {
        await run(client, s.groupUser.add(new o.GroupUser({userId, groupId})));
        const members = await run(client, s.groupUser.listAction(
            new o.GroupUserFilter({groupIdEqual: groupId})));
        expect(members.totalCount === 1 && members.objects[0].userId === userId,
            JSON.stringify(members));
        await run(client, s.groupUser.deleteAction(userId, groupId));
        const after = await run(client, s.groupUser.listAction(
            new o.GroupUserFilter({groupIdEqual: groupId})));
        expect(after.totalCount === 0, JSON.stringify(after));
    });
    await check('liveStream.add / get', async () => {
        const entry = new o.LiveStreamEntry({name: `Judge live ${run_id}`,
            mediaType: kaltura.enums.MediaType.LIVE_STREAM_FLASH, adminTags: 'judge'});
        const added = await run(client, s.liveStream.add(entry,
            kaltura.enums.SourceType.LIVE_STREAM));
        liveId = added.id;
        expect(/^\d+_[0-9a-z]{8}$/.test(liveId), `id ${liveId}`);
        const got = await run(client, s.liveStream.get(liveId));
        expect(got.name === `Judge live ${run_id}`, JSON.stringify(got));
    });
    await check('baseEntry.get / update / list', async () => {
        const got = await run(client, s.baseEntry.get(liveId));
        expect(got.id === liveId, JSON.stringify(got));
        const updated = await run(client, s.baseEntry.update(liveId,
            new o.BaseEntry({adminTags: 'judge,virtualevent_1'})));
        expect(updated.adminTags.includes('virtualevent_1'), updated.adminTags);
        const listed = await run(client, s.baseEntry.listAction(new o.BaseEntryFilter({
            idIn: liveId, statusIn: '-2,-1,0,1,2,4,5,6,7'})));
        expect(listed.totalCount === 1 && listed.objects[0].id === liveId,
            JSON.stringify(listed));
    });
    await check('appToken.list', async () => {
        const tokens = await run(client, s.appToken.listAction(new o.AppTokenFilter({
            status: kaltura.enums.AppTokenStatus.ACTIVE})));
        expect(tokens.objects.some((t) => t.sessionPrivileges === 'cncAuth:true'),
            JSON.stringify(tokens.objects.map((t) => t.sessionPrivileges)));
    });
    await check('virtualEvent.add / list', async () => {
        const added = await run(client, s.virtualEvent.add(new o.VirtualEvent({
            name: `Judge event ${run_id}`})));
        expect(added.id > 0, JSON.stringify(added));
        const listed = await run(client, s.virtualEvent.listAction(new o.VirtualEventFilter({
            idIn: String(added.id)})));
        expect(listed.objects.length === 1 && listed.objects[0].name === `Judge event ${run_id}`,
            JSON.stringify(listed));
    });
    await check('multirequest with {1:result:id}', async () => {
        const builder = s.user.add(new o.User({id: `judge-mr-${run_id}`}))
            .add(s.user.get('{1:result:id}'))
            .add(s.user.get(`judge-missing-${run_id}`));
        const results = await new Promise((resolve, reject) => builder.execute(client,
            (success, answer) => (success ? resolve(answer) : reject(new Error(answer.message)))));
        expect(results.length === 3, JSON.stringify(results));
        expect(results[1].id === `judge-mr-${run_id}`, JSON.stringify(results[1]));
        expect(results[2].code === 'INVALID_USER_ID', JSON.stringify(results[2]));
    });
    await check('baseEntry.delete', async () => {
        await run(client, s.baseEntry.deleteAction(liveId));
        try {
            await run(client, s.baseEntry.get(liveId));
        } catch (error) {
            expect(error.message.startsWith('ENTRY_ID_NOT_FOUND'), error.message);
            return;
        }
        throw new Error('still there after delete');
    });
    for (const line of checks) process.stdout.write(JSON.stringify(line) + '\n');
}

main().catch((error) => {
    process.stdout.write(JSON.stringify({check: 'judge', ok: false, detail: String(error)}) + '\n');
    process.exitCode = 1;
});
