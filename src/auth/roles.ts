import { Role, ROLES } from '../entities/api-key.entity';

// A role is a column of the key, so its entity declares it; the policy over it is here.
export { Role, ROLES };

/**
 * What a field asks of its caller. Fields name a permission, never a role,
 * so the role → permission table below is the whole access policy, in one place.
 */
export enum Permission {
  readLineage = 'read lineage',
  readReports = 'read reports',
  /** Read the integrity report's findings: it only reads, as every other report. */
  readIntegrityReport = 'read the integrity report',
  /** Verify the hash chain: the integrity role's, as the quarterly CLI run (and its exit code) is. */
  auditIntegrity = 'audit integrity',
  writeRecords = 'write records',
  readQueryAudit = 'read the query audit log',
  /** Read compliance records (legal holds): what an investigator or an auditor is asked to produce. */
  readCompliance = 'read compliance records',
  /** Scrape `/metrics` and read `/health/detailed`: business gauges and the database's state are not for anyone. */
  readOperations = 'read metrics and detailed health',
  /** Certify a day of the record (an attestation): the compliance officer's, never a writer's. */
  attest = 'attest a day',
}

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  [Role.investigator]: new Set([
    Permission.readLineage,
    Permission.readReports,
    Permission.readIntegrityReport,
    Permission.readCompliance,
  ]),
  [Role.integrity]: new Set([
    Permission.readLineage,
    Permission.readReports,
    Permission.readIntegrityReport,
    Permission.auditIntegrity,
    Permission.readCompliance,
  ]),
  [Role.writer]: new Set([Permission.writeRecords]),
  [Role.admin]: new Set(Object.values(Permission)),
  // Reads the record as an admin does and attests; writing lineage records is never a compliance officer's,
  // nor are the operators' gauges (metrics, detailed health).
  [Role.compliance]: new Set(
    Object.values(Permission).filter(
      (permission) => permission !== Permission.writeRecords && permission !== Permission.readOperations,
    ),
  ),
};

/**
 * Anonymous callers (only where allowed) read, as an integrity auditor does;
 * they never write nor see who queried what.
 */
export const ANONYMOUS_GRANTS: ReadonlySet<Permission> = GRANTS[Role.integrity];

export function grantsOf(role: Role): ReadonlySet<Permission> {
  return GRANTS[role];
}

/** The roles that hold a permission, for error messages. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => GRANTS[role].has(permission));
}
