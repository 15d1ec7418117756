import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  passwordProblem,
  remainingWaitMs,
  throttleDelayMs,
} from '../src/index.ts';

const throttle = suite('login throttling');

throttle('the first failures cost nothing', () => {
  for (let f = 0; f <= ACCOUNT_THROTTLE.freeFailures; f++)
    assert.is(throttleDelayMs(f, ACCOUNT_THROTTLE), 0);
});

throttle('each further failure doubles the delay', () => {
  const free = ACCOUNT_THROTTLE.freeFailures;
  assert.is(throttleDelayMs(free + 1, ACCOUNT_THROTTLE), 1_000);
  assert.is(throttleDelayMs(free + 2, ACCOUNT_THROTTLE), 2_000);
  assert.is(throttleDelayMs(free + 3, ACCOUNT_THROTTLE), 4_000);
});

throttle('the delay is capped: slowed down, never locked out', () => {
  assert.is(throttleDelayMs(1_000, ACCOUNT_THROTTLE), ACCOUNT_THROTTLE.maxDelayMs);
  assert.is(throttleDelayMs(1_000, ADDRESS_THROTTLE), ADDRESS_THROTTLE.maxDelayMs);
  assert.ok(ACCOUNT_THROTTLE.maxDelayMs <= 60_000);
});

throttle('the wait runs from the last failure', () => {
  const state = { failures: ACCOUNT_THROTTLE.freeFailures + 2, lastFailureAt: 10_000 };
  assert.is(remainingWaitMs(state, ACCOUNT_THROTTLE, 10_500), 1_500);
  assert.is(remainingWaitMs(state, ACCOUNT_THROTTLE, 12_000), 0);
  assert.is(remainingWaitMs(undefined, ACCOUNT_THROTTLE, 0), 0);
});

const passwords = suite('password policy');

passwords('refuses passwords under twelve characters', () => {
  assert.is(passwordProblem({ password: 'elevenchars', username: 'x' }), 'too_short');
  assert.is(passwordProblem({ password: 'twelve chars', username: 'x' }), null);
});

passwords('counts characters, not bytes', () => {
  assert.is(passwordProblem({ password: 'ééééééééééé', username: 'x' }), 'too_short');
});

passwords('refuses a password containing the username', () => {
  assert.is(
    passwordProblem({ password: 'my-Demo-Lead-secret', username: 'demo-lead' }),
    'contains_username',
  );
});

passwords('refuses the current password as the new one', () => {
  const same = 'a long enough password';
  assert.is(
    passwordProblem({ password: same, username: 'x', currentPassword: same }),
    'same_as_current',
  );
});

throttle.run();
passwords.run();
