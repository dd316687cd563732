/** ARM's error shape on ARM-shaped routes (shared/http/arm-error.ts), pure. */
import { describe, expect, it } from 'vitest';
import { isArmShapedPath, problemAsArmError } from '../../shared/http/arm-error';
import { problem } from '../../shared/http/problem';

describe('ARM-shaped errors', () => {
  it('knows ARM-shaped paths', () => {
    expect(
      isArmShapedPath('/api/subscriptions/x/providers/Microsoft.Authorization/roleAssignmentSchedules'),
    ).toBe(true);
    expect(isArmShapedPath('/api/Providers/Microsoft.Authorization/roleEligibilityScheduleInstances')).toBe(
      true,
    );
    expect(isArmShapedPath('/api//subscriptions/x')).toBe(true);
    expect(isArmShapedPath('/api/roleManagement/directory/roleAssignmentScheduleRequests')).toBe(false);
    expect(isArmShapedPath('/api/managedAzureScopes')).toBe(false);
  });

  it("turns a problem into ARM's error, its code from the problem's or the status, headers kept", () => {
    const named = problemAsArmError(problem(400, 'bad', { code: 'InvalidRequestContent' }));
    expect(named?.status).toBe(400);
    expect(JSON.parse(named?.body as string)).toEqual({
      error: { code: 'InvalidRequestContent', message: 'bad' },
    });
    const unnamed = problemAsArmError(problem(401, 'no token', {}, { 'www-authenticate': 'Bearer' }));
    expect(JSON.parse(unnamed?.body as string).error.code).toBe('AuthenticationFailed');
    expect((unnamed?.headers as Record<string, string>)['www-authenticate']).toBe('Bearer');
    expect((unnamed?.headers as Record<string, string>)['content-type']).toMatch(/^application\/json/);
    expect(problemAsArmError({ status: 200, jsonBody: { value: [] } })).toBeUndefined();
  });
});
