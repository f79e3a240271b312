import { Logger } from '@nestjs/common';
import { SandboxFailure } from '../sandbox/sandbox-fault';
import { describeError } from './http-exception.filter';

describe('describeError', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a deliberate failure (a sandbox fault) as any 500, and logs it without calling it a defect', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const notes = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const deliberate = describeError(new SandboxFailure(), 'req-1');
    const defect = describeError(new Error('boom'), 'req-2');

    expect(deliberate).toEqual({ ...defect, requestId: 'req-1' });
    expect(deliberate.status).toBe(500);
    expect(notes).toHaveBeenCalledWith({ requestId: 'req-1', failure: 'sandbox fault: fail-before-commit' }, 'Answered 500 on purpose');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ requestId: 'req-2' }), 'Unhandled error');
  });
});
