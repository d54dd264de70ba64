import { Arg, Authorized, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Permission } from '../auth/roles';
import { SafeInt } from '../graphql/safe-int.scalar';
import { compliancePackage, packageIndex } from '../reports/compliance-package';
import { MAX_PACKAGE_DAYS, packagePeriod } from '../reports/package-period';
import { DAYS_RANGE, QUARTERS_RANGE } from '../time/instant';
import type { Context } from './context';

@ObjectType({ description: 'One file of a compliance package, as its signed manifest lists it.' })
export class CompliancePackageFile {
  @Field({ description: "Its path in the package folder, '/'-separated." }) path!: string;
  @Field({ description: 'SHA-256 of its bytes, lowercase hex.' }) sha256!: string;
  @Field(() => SafeInt) bytes!: number;
  @Field({ description: 'What it is, as the package README says.' }) description!: string;
}

@ObjectType({
  description:
    "The index of a period's compliance package — what `auditgraph package` writes, without the bodies: " +
    'every file with its hash, and the hash of the manifest the checkpoint key signs.',
})
export class CompliancePackageIndex {
  @Field({ description: 'First day, YYYY-MM-DD (UTC), included.' }) from!: string;
  @Field({ description: 'Last day, YYYY-MM-DD (UTC), included.' }) to!: string;
  @Field(() => [CompliancePackageFile], { description: 'Sorted by path, as the manifest lists them.' })
  files!: CompliancePackageFile[];
  @Field({ description: "SHA-256 (hex) of the manifest's signed text: the compliance_package_written event's." })
  manifestSha256!: string;
  @Field(() => SafeInt, { description: 'The tree size of the checkpoint of the period start.' })
  firstTreeSize!: number;
  @Field(() => SafeInt, { description: 'The tree size of the newest checkpoint, the package consistent with it.' })
  lastTreeSize!: number;
}

/** The compliance package's index, built by the same code as `auditgraph package` (src/reports/compliance-package.ts). */
@Authorized(Permission.readReports)
@Resolver()
export class CompliancePackageResolver {
  @Query(() => CompliancePackageIndex, {
    description:
      `The compliance package of a quarter, or of days from and to (both included, UTC, at most ${MAX_PACKAGE_DAYS}), ` +
      'as an index of files and hashes. Fails with NO_CHECKPOINT before any checkpoint is signed.',
  })
  async compliancePackage(
    @Arg('from', () => String, { nullable: true, description: `A day, YYYY-MM-DD, ${DAYS_RANGE}.` })
    from: string | null,
    @Arg('to', () => String, { nullable: true, description: `A day, YYYY-MM-DD, ${DAYS_RANGE}; included.` })
    to: string | null,
    @Arg('quarter', () => String, {
      nullable: true,
      description: `A calendar quarter such as 2026Q3, ${QUARTERS_RANGE}.`,
    })
    quarter: string | null,
    @Ctx() { em }: Context,
  ): Promise<CompliancePackageIndex> {
    const period = packagePeriod({ quarter, from, to });
    const built = await compliancePackage(em, period);
    return {
      from: period.fromDay,
      to: period.toDay,
      files: packageIndex(built),
      manifestSha256: built.manifestSha256,
      firstTreeSize: built.firstTreeSize,
      lastTreeSize: built.lastTreeSize,
    };
  }
}
